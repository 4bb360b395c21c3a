import { describe, expect, it } from '@jest/globals';
import { answerInfluxQuery, readInfluxCredentials } from './influx-compat.js';

const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;

describe('readInfluxCredentials', () => {
  it.each([
    ['u/p query parameters', { u: 'yy-01', p: 'zy_tok' }, undefined, { username: 'yy-01', password: 'zy_tok' }],
    ['p alone', { p: 'zy_tok' }, undefined, { username: '', password: 'zy_tok' }],
    ['a repeated parameter (first wins)', { u: ['yy-01', 'x'], p: ['zy_tok', 'y'] }, undefined, { username: 'yy-01', password: 'zy_tok' }],
    ['query before header, as InfluxDB', { u: 'yy-01', p: 'zy_q' }, 'Bearer zy_h', { username: 'yy-01', password: 'zy_q' }],
    ['Basic', {}, basic('yy-01:zy_tok'), { username: 'yy-01', password: 'zy_tok' }],
    ['Basic with a colon in the password', {}, basic('yy-01:a:b'), { username: 'yy-01', password: 'a:b' }],
    ['Basic with no username', {}, basic(':zy_tok'), { username: '', password: 'zy_tok' }],
    ['Bearer', {}, 'Bearer zy_tok', { username: '', password: 'zy_tok' }],
    ['Token <token>', {}, 'Token zy_tok', { username: '', password: 'zy_tok' }],
    ['Token <user>:<password>', {}, 'Token yy-01:zy_tok', { username: 'yy-01', password: 'zy_tok' }],
    ['a scheme in any case', {}, 'token   zy_tok ', { username: '', password: 'zy_tok' }],
    ['u without p falls back to the header', { u: 'yy-01' }, 'Token zy_tok', { username: '', password: 'zy_tok' }],
  ])('%s', (_name, query, header, expected) => {
    expect(readInfluxCredentials(query, header)).toEqual(expected);
  });

  it.each([
    ['nothing', {}, undefined],
    ['u alone', { u: 'yy-01' }, undefined],
    ['an empty p', { u: 'yy-01', p: '' }, undefined],
    ['Basic without a colon', {}, basic('zy_tok')],
    ['Basic with an empty password', {}, basic('yy-01:')],
    ['Token with an empty password', {}, 'Token yy-01:'],
    ['an unknown scheme', {}, 'Digest zy_tok'],
    ['a scheme without value', {}, 'Bearer'],
  ])('none from %s', (_name, query, header) => {
    expect(readInfluxCredentials(query, header)).toBeNull();
  });
});

describe('answerInfluxQuery', () => {
  it('creates zhuyun (it exists), quoted or not, with or without WITH', () => {
    for (const q of ['CREATE DATABASE "zhuyun"', 'create database zhuyun', 'CREATE DATABASE "zhuyun" WITH DURATION 30d']) {
      expect(answerInfluxQuery(q)).toEqual({ results: [{ statement_id: 0 }] });
    }
  });

  it('cannot create another database', () => {
    expect(answerInfluxQuery('CREATE DATABASE "telegraf"').results[0]).toEqual({ statement_id: 0, error: expect.stringMatching(/"telegraf" cannot be created/) });
  });

  it('lists the one database', () => {
    expect(answerInfluxQuery('SHOW DATABASES')).toEqual({
      results: [{ statement_id: 0, series: [{ name: 'databases', columns: ['name'], values: [['zhuyun']] }] }],
    });
  });

  it('answers each statement, others with an error in their result', () => {
    const r = answerInfluxQuery('CREATE DATABASE zhuyun; SELECT * FROM cpu;');
    expect(r.results).toEqual([{ statement_id: 0 }, { statement_id: 1, error: expect.stringMatching(/only CREATE DATABASE and SHOW DATABASES/) }]);
  });
});
