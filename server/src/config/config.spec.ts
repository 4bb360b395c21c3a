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

  it('simulates the real city unless ZHUYUN_SIMULATE_FLEET=small, and names a bad fleet', () => {
    expect(loadConfig({}).simulateFleet).toBe('city');
    expect(loadConfig({ ZHUYUN_SIMULATE_FLEET: 'small' }).simulateFleet).toBe('small');
    expect(loadConfig({ ZHUYUN_SIMULATE_FLEET: 'city-10k' }).simulateFleet).toBe('city-10k');
    expect([loadConfig({}).liveWholeFrames, loadConfig({ ZHUYUN_LIVE_WHOLE_FRAMES: '1' }).liveWholeFrames]).toEqual([false, true]);
    expect(() => loadConfig({ ZHUYUN_SIMULATE_FLEET: 'tiny' })).toThrow(/ZHUYUN_SIMULATE_FLEET="tiny".*city.*small/s);
  });

  it.each([
    [{}, false],
    [{ ZHUYUN_SIMULATE: '1' }, true],
    [{ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_HISTORY: '0' }, false],
    [{ ZHUYUN_SIMULATE: '1', ZHUYUN_SIMULATE_HISTORY: '1' }, true],
    [{ ZHUYUN_SIMULATE: '0', ZHUYUN_SIMULATE_HISTORY: '1' }, false],
  ])('fills the simulated history (ZHUYUN_SIMULATE_HISTORY) when simulating unless 0: %j', (env, want) => {
    expect(loadConfig(env).simulateHistory).toBe(want);
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

  it('reads the cardinality limits and the forget-after span, well above the real city by default', () => {
    expect(loadConfig({})).toMatchObject({ cardinality: { maxNodesPerUnit: 2000, maxNodesPerCollector: 2000, maxNewSeriesPerMinute: 20000 }, nodeForgetAfterMs: 7 * 86_400_000 });
    expect(loadConfig({ ZHUYUN_MAX_NODES_PER_UNIT: '50', ZHUYUN_MAX_NODES_PER_COLLECTOR: '60', ZHUYUN_MAX_NEW_SERIES_PER_MINUTE: '70', ZHUYUN_NODE_FORGET_AFTER: '36h' })).toMatchObject({
      cardinality: { maxNodesPerUnit: 50, maxNodesPerCollector: 60, maxNewSeriesPerMinute: 70 },
      nodeForgetAfterMs: 36 * 3_600_000,
    });
    expect(() => loadConfig({ ZHUYUN_MAX_NODES_PER_UNIT: '0' })).toThrow(/ZHUYUN_MAX_NODES_PER_UNIT="0": must be at least 1 node/);
    expect(() => loadConfig({ ZHUYUN_MAX_NEW_SERIES_PER_MINUTE: '1.5' })).toThrow(/ZHUYUN_MAX_NEW_SERIES_PER_MINUTE="1.5": must be a whole number of series/);
    expect(() => loadConfig({ ZHUYUN_NODE_FORGET_AFTER: 'forever' })).toThrow(/ZHUYUN_NODE_FORGET_AFTER="forever"/);
  });

  it('reads the stale time of a node (ZHUYUN_NODE_STALE_AFTER, default 15 minutes)', () => {
    expect(loadConfig({}).nodeStaleAfterMs).toBe(15 * 60_000);
    expect(loadConfig({ ZHUYUN_NODE_STALE_AFTER: '2h' }).nodeStaleAfterMs).toBe(2 * 3_600_000);
    expect(() => loadConfig({ ZHUYUN_NODE_STALE_AFTER: 'soon' })).toThrow(/ZHUYUN_NODE_STALE_AFTER="soon": must be a duration/);
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

  describe('several instances (REDIS_URL)', () => {
    const shared = { ZHUYUN_TSDB: 'influx', INFLUX_URL: 'http://127.0.0.1:8086/zhuyun', DATABASE_URL: 'postgres://u@db:5432/zhuyun' };

    it('takes REDIS_URL with InfluxDB and PostgreSQL: prefix, instance name, shutdown grace', () => {
      const c = loadConfig({ ...shared, REDIS_URL: 'redis://cache:6379', ZHUYUN_REDIS_PREFIX: 'gy-prod', ZHUYUN_INSTANCE: 'app-1', ZHUYUN_SHUTDOWN_GRACE: '20s' });
      expect(c.cluster).toEqual({ redisUrl: 'redis://cache:6379', prefix: 'gy-prod', instance: 'app-1' });
      expect(c.shutdownGraceMs).toBe(20_000);
      const d = loadConfig({ ...shared, REDIS_URL: 'rediss://cache:6380' });
      expect(d.cluster?.prefix).toBe('zhuyun');
      expect(d.cluster?.instance).toMatch(/-\d+-[0-9a-f]{6}$/);
      expect(loadConfig({}).cluster).toBeUndefined();
      expect(loadConfig({}).shutdownGraceMs).toBe(10_000);
    });

    it('refuses REDIS_URL with the SQLite time-series store or the SQLite database, saying why', () => {
      expect(() => loadConfig({ REDIS_URL: 'redis://cache:6379' })).toThrow(/REDIS_URL \(several instances\) needs ZHUYUN_TSDB=influx: the SQLite time-series store belongs to one instance/);
      expect(() => loadConfig({ REDIS_URL: 'redis://cache:6379' })).toThrow(/needs DATABASE_URL=postgres:\/\//);
      expect(() => loadConfig({ ...shared, DATABASE_URL: undefined, REDIS_URL: 'redis://cache:6379' })).toThrow(/needs DATABASE_URL=postgres/);
    });

    it('says what a bad REDIS_URL or prefix is, without the password', () => {
      expect(() => loadConfig({ ...shared, REDIS_URL: 'http://cache:6379' })).toThrow(/REDIS_URL: must start with redis:\/\/ or rediss:\/\//);
      try {
        loadConfig({ ...shared, REDIS_URL: 'not a url //u:secret@x', ZHUYUN_REDIS_PREFIX: 'has space' });
        throw new Error('no error');
      } catch (err) {
        const msg = (err as Error).message;
        expect(msg).toMatch(/REDIS_URL=.*must be a URL such as redis:\/\/127\.0\.0\.1:6379/);
        expect(msg).toMatch(/ZHUYUN_REDIS_PREFIX="has space": letters, digits/);
        expect(msg).not.toMatch(/secret/);
      }
    });
  });
});
