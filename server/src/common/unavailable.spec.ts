import { describe, expect, it } from '@jest/globals';
import { isUnavailable } from './unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), true],
    ['reset', withCode('ECONNRESET'), true],
    ['admin shutdown (pg_ctl stop -m fast)', withCode('57P01', 'terminating connection due to administrator command'), true],
    ['starting up', withCode('57P03', 'the database system is starting up'), true],
    ['connection exception class 08', withCode('08006'), true],
    ['pg pool connect timeout', new Error('timeout exceeded when trying to connect'), true],
    ['connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), true],
    ['refused, wrapped as a cause', new Error('query failed', { cause: withCode('ECONNREFUSED') }), true],
    ['AggregateError of refusals', Object.assign(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], ''), {}), true],
    ['unique violation', withCode('23505', 'duplicate key value'), false],
    ['syntax error', withCode('42601'), false],
    ['a plain bug', new TypeError('cannot read properties of undefined'), false],
    ['not an error', 'ECONNREFUSED', false],
    ['null', null, false],
  ])('%s', (_name, err, expected) => {
    expect(isUnavailable(err)).toBe(expected);
  });
});
