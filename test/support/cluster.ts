import { freshDatabaseName, startInfluxd } from './influxd.js';
import { freshSchema } from './postgres.js';
import { dropPrefix, freshPrefix, REDIS_URL } from './redis.js';

/**
 * What several server instances share (docs/SCALE.md): a private InfluxDB, a fresh PostgreSQL
 * schema and a fresh key prefix in the local Redis. `env` starts an instance on them; `destroy`
 * removes all three.
 */
export async function sharedServices(name: string): Promise<{ env: Record<string, string>; destroy(): Promise<void> }> {
  const influxd = await startInfluxd();
  const schema = await freshSchema();
  const prefix = freshPrefix(name);
  return {
    env: {
      DATABASE_URL: schema.url,
      REDIS_URL,
      ZHUYUN_REDIS_PREFIX: prefix,
      ZHUYUN_TSDB: 'influx',
      INFLUX_URL: `${influxd.url}/${freshDatabaseName()}`,
    },
    async destroy() {
      await dropPrefix(prefix);
      await schema.drop();
      await influxd.destroy();
    },
  };
}
