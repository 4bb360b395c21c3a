import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has the defaults of DESIGN.md', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, tsdb: 'sqlite', simulate: false });
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.database).toEqual({ kind: 'sqlite', path: expect.stringMatching(/\/data\/zhuyun\.sqlite$/) });
  });

  it('reads the simulate flag and an empty variable as unset', () => {
    expect(loadConfig({ ZHUYUN_SIMULATE: '1', PORT: '' })).toMatchObject({ simulate: true, port: 8080 });
    expect(loadConfig({ ZHUYUN_SIMULATE: '0' }).simulate).toBe(false);
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', ZHUYUN_TSDB: 'mongo', ZHUYUN_SIMULATE: 'maybe' });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toMatch(/PORT="eighty"/);
      expect(msg).toMatch(/ZHUYUN_TSDB="mongo"/);
      expect(msg).toMatch(/ZHUYUN_SIMULATE="maybe"/);
    }
  });

  it('says plainly what is out of range', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT="70000"/);
  });

  it('takes InfluxDB from INFLUX_URL: database from the path (default zhuyun), credentials from the URL', () => {
    expect(() => loadConfig({ ZHUYUN_TSDB: 'influx' })).toThrow(/ZHUYUN_TSDB=influx needs INFLUX_URL/);
    expect(loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'http://127.0.0.1:8086/zhuyun' }).influx).toEqual({
      url: 'http://127.0.0.1:8086',
      database: 'zhuyun',
    });
    expect(loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'http://10.1.2.3:8086' }).influx).toEqual({ url: 'http://10.1.2.3:8086', database: 'zhuyun' });
    expect(loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'https://zy:p%40ss@tsdb.gov.example/metrics_gy/' }).influx).toEqual({
      url: 'https://tsdb.gov.example',
      database: 'metrics_gy',
      username: 'zy',
      password: 'p@ss',
    });
    expect(() => loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'http://h:8086/a/b' })).toThrow(/just the database name/);
    expect(() => loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'udp://h:8089' })).toThrow(/http:\/\/ or https:\/\//);
    expect(() => loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'not a url' })).toThrow(/INFLUX_URL="not a url": must be a URL/);
    // A password never shows in the message.
    expect(() => loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'ftp://u:secret@h/db' })).toThrow(/u:\*\*\*@/);
    expect(() => loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'ftp://u:secret@h/db' })).not.toThrow(/secret/);
    expect(() => loadConfig({ ZHUYUN_TSDB: 'influx', INFLUX_URL: 'http://h:8086', ZHUYUN_RETENTION_RAW: '30m' })).toThrow(/at least 1h/);
    // Unused with SQLite.
    expect(loadConfig({ INFLUX_URL: 'http://h:8086/x' }).influx).toBeUndefined();
  });

  it('reads retention spans, checks their order', () => {
    expect(loadConfig({}).retention).toEqual({ rawMs: 14 * 86_400_000, minuteMs: 180 * 86_400_000, hourMs: 5 * 365 * 86_400_000 });
    expect(loadConfig({ ZHUYUN_RETENTION_RAW: '36h' }).retention.rawMs).toBe(36 * 3_600_000);
    expect(() => loadConfig({ ZHUYUN_RETENTION_RAW: 'two weeks' })).toThrow(/ZHUYUN_RETENTION_RAW="two weeks": must be a duration/);
    expect(() => loadConfig({ ZHUYUN_RETENTION_RAW: '200d' })).toThrow(/coarser resolution/);
  });

  it('takes a sqlite: or postgres:// DATABASE_URL, and says what else it expects', () => {
    expect(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.sqlite' }).database).toEqual({ kind: 'sqlite', path: '/tmp/x.sqlite' });
    expect(loadConfig({ DATABASE_URL: 'postgres://root@127.0.0.1:5432/test' }).database).toEqual({ kind: 'postgres', url: 'postgres://root@127.0.0.1:5432/test' });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/expected postgres:\/\//);
  });
});
