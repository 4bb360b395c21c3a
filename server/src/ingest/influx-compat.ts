/**
 * The parts of InfluxDB 1.x's HTTP API that clients need besides the line protocol itself:
 * how credentials are passed, the database name, the version header, and the two statements
 * of `/query` that Telegraf and client libraries send at start. Pure functions, no Nest.
 */

/** The one database `/write` takes (DESIGN "Line protocol": `?db=zhuyun`). */
export const INFLUX_DATABASE = 'zhuyun';

/**
 * The InfluxDB release whose HTTP API this mimics. Clients read it from `X-Influxdb-Version`
 * (node-influx's `ping()`, Grafana's data source test); it must look like an InfluxDB 1.x version.
 */
export const INFLUX_VERSION = '1.8.10';
export const INFLUX_VERSION_HEADER = 'X-Influxdb-Version';

export interface InfluxCredentials {
  /** The collector id, or '' when the scheme carries only a token (Bearer, Token <token>). */
  username: string;
  /** The collector token. */
  password: string;
}

function first(v: unknown): string | undefined {
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'string' ? v : undefined;
}

/**
 * Credentials as InfluxDB 1.x reads them, in its order: `u`/`p` query parameters, then the
 * Authorization header: `Bearer <token>`, `Token <user>:<password>` or `Token <token>` (the 2.x
 * compatibility form), `Basic base64(user:password)`. Null when none is there or the password is
 * empty. InfluxDB needs both `u` and `p`; here `p` alone is enough, since the token names its
 * collector.
 */
export function readInfluxCredentials(query: Record<string, unknown>, authorization: string | undefined): InfluxCredentials | null {
  const p = first(query.p);
  if (p) return { username: first(query.u) ?? '', password: p };
  const m = /^(\S+)\s+(\S.*?)\s*$/.exec(authorization ?? '');
  if (!m) return null;
  const scheme = m[1].toLowerCase();
  const value = m[2];
  let username = '';
  let password = value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return null;
    username = decoded.slice(0, colon);
    password = decoded.slice(colon + 1);
  } else if (scheme === 'token') {
    // Collector tokens are base64url: a colon can only be the user:password separator.
    const colon = value.indexOf(':');
    if (colon >= 0) {
      username = value.slice(0, colon);
      password = value.slice(colon + 1);
    }
  } else if (scheme !== 'bearer') {
    return null;
  }
  return password ? { username, password } : null;
}

export interface InfluxStatementResult {
  statement_id: number;
  series?: Array<{ name: string; columns: string[]; values: unknown[][] }>;
  error?: string;
}
export interface InfluxQueryResponse {
  results: InfluxStatementResult[];
}

const CREATE_DATABASE = /^CREATE\s+DATABASE\s+(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*))(\s+WITH\b.*)?$/is;
const SHOW_DATABASES = /^SHOW\s+DATABASES$/i;

/**
 * A minimal `/query`: `CREATE DATABASE zhuyun` succeeds (it exists; Telegraf sends it at start
 * unless `skip_database_creation`), `SHOW DATABASES` lists it. Anything else is answered, as
 * InfluxDB answers a statement that fails, with an `error` in that statement's result: reading
 * goes through `GET /api/v1/series`. Statements are separated by `;`.
 */
export function answerInfluxQuery(q: string): InfluxQueryResponse {
  const statements = q.split(';').map((s) => s.trim()).filter(Boolean);
  return {
    results: statements.map((s, statement_id): InfluxStatementResult => {
      const create = CREATE_DATABASE.exec(s);
      if (create) {
        const name = create[1] !== undefined ? create[1].replace(/\\(.)/g, '$1') : create[2];
        return name === INFLUX_DATABASE
          ? { statement_id }
          : { statement_id, error: `database ${JSON.stringify(name)} cannot be created: Zhuyun takes writes to "${INFLUX_DATABASE}" only` };
      }
      if (SHOW_DATABASES.test(s)) {
        return { statement_id, series: [{ name: 'databases', columns: ['name'], values: [[INFLUX_DATABASE]] }] };
      }
      return {
        statement_id,
        error: 'Zhuyun answers only CREATE DATABASE and SHOW DATABASES here; read series through GET /api/v1/series',
      };
    }),
  };
}
