/**
 * The data path to InfluxDB 1.x over plain HTTP (`/write`, `/query`, `/ping`) with `fetch`.
 * node-influx does the schema work (influx.schema.ts); writes and queries go through here because
 * we need to tell apart, on every answer, "InfluxDB is not there" (keep the points and retry) from
 * "InfluxDB refused these points" (drop them and count), and because raw line protocol is the
 * faster write path (TOOLCHAIN: ~250 k points/s against ~160 k with writePoints).
 */

export interface InfluxTarget {
  /** `http://host:port` (no path, no credentials). */
  url: string;
  database: string;
  username?: string;
  password?: string;
}

/**
 * InfluxDB did not take the request for a reason that is not the data's: connection refused or
 * reset, timeout, 5xx, 408/429, credentials refused, database missing. Retry later.
 */
export class InfluxUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The database (or a retention policy) is missing: set the schema up again. */
    readonly schemaMissing = false,
  ) {
    super(message);
    this.name = 'InfluxUnavailableError';
  }
}

/**
 * InfluxDB refused the request because of its content (400 and other 4xx): a field type conflict,
 * points beyond retention, an unparsable line, a bad statement. Retrying cannot help.
 * For a write, InfluxDB has kept the other points of the batch (a "partial write").
 */
export class InfluxRejectedError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Points InfluxDB says it dropped (`dropped=N`), when it says. */
    readonly dropped?: number,
  ) {
    super(message);
    this.name = 'InfluxRejectedError';
  }
}

export interface QuerySeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface StatementResult {
  statement_id: number;
  error?: string;
  series?: QuerySeries[];
}

export interface InfluxHttpOptions {
  writeTimeoutMs?: number;
  queryTimeoutMs?: number;
}

export class InfluxHttp {
  private readonly auth?: string;
  private readonly writeTimeoutMs: number;
  private readonly queryTimeoutMs: number;

  constructor(
    readonly target: InfluxTarget,
    opts: InfluxHttpOptions = {},
  ) {
    if (target.username !== undefined) {
      this.auth = `Basic ${Buffer.from(`${target.username}:${target.password ?? ''}`).toString('base64')}`;
    }
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 10_000;
    this.queryTimeoutMs = opts.queryTimeoutMs ?? 60_000;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.auth ? { authorization: this.auth, ...extra } : extra;
  }

  private async send(path: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal): Promise<{ status: number; text: string }> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const res = await fetch(`${this.target.url}${path}`, {
        ...init,
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new InfluxUnavailableError(`InfluxDB at ${this.target.url} unreachable: ${why}`);
    }
  }

  /** Classifies a non-2xx answer; never returns. */
  private fail(status: number, text: string, what: string): never {
    let message = text.trim();
    try {
      message = (JSON.parse(text) as { error?: string }).error ?? message;
    } catch {
      // not JSON: keep the text
    }
    const full = `InfluxDB ${what} answered ${status}: ${message || '(no body)'}`;
    // InfluxDB answers 404 for a missing database and 500 for a missing retention policy.
    if (/database not found|retention policy not found/.test(message)) throw new InfluxUnavailableError(full, status, true);
    if (status >= 500 || status === 408 || status === 429) throw new InfluxUnavailableError(full, status);
    if (status === 401 || status === 403) throw new InfluxUnavailableError(`${full} (check the credentials in INFLUX_URL)`, status);
    const dropped = /dropped=(\d+)/.exec(message);
    throw new InfluxRejectedError(full, status, dropped ? Number(dropped[1]) : undefined);
  }

  /**
   * Posts line protocol (precision ms) into a retention policy. Resolves on 204. A 413 (body too
   * large for this InfluxDB) is retried in halves. Throws InfluxUnavailableError or
   * InfluxRejectedError.
   */
  async write(body: string, rp: string, signal?: AbortSignal): Promise<void> {
    const q = new URLSearchParams({ db: this.target.database, rp, precision: 'ms' });
    const r = await this.send(`/write?${q}`, { method: 'POST', headers: this.headers({ 'content-type': 'text/plain; charset=utf-8' }), body }, this.writeTimeoutMs, signal);
    if (r.status === 204 || r.status === 200) return;
    if (r.status === 413) {
      const mid = body.indexOf('\n', Math.floor(body.length / 2));
      if (mid > 0 && mid < body.length - 1) {
        await this.write(body.slice(0, mid), rp, signal);
        await this.write(body.slice(mid + 1), rp, signal);
        return;
      }
    }
    this.fail(r.status, r.text, 'write');
  }

  /**
   * Runs InfluxQL (several statements may be joined by `;`) and returns one result per statement,
   * read as a chunked answer so that no row limit of the server cuts it. Times are epoch ms.
   * Per-statement errors are in the results; an error of the whole request throws.
   */
  async query(q: string, opts: { db?: string; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<StatementResult[]> {
    const params = new URLSearchParams({ q, epoch: 'ms', chunked: 'true', chunk_size: '10000' });
    const db = opts.db ?? this.target.database;
    if (db) params.set('db', db);
    const r = await this.send(
      '/query',
      { method: 'POST', headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }), body: params.toString() },
      opts.timeoutMs ?? this.queryTimeoutMs,
      opts.signal,
    );
    if (r.status !== 200) this.fail(r.status, r.text, 'query');
    return mergeChunks(r.text);
  }

  /** Resolves when InfluxDB answers /ping with 204. */
  async ping(timeoutMs = 2_000): Promise<void> {
    const r = await this.send('/ping', { method: 'GET', headers: this.headers() }, timeoutMs);
    if (r.status !== 204 && r.status !== 200) this.fail(r.status, r.text, 'ping');
  }
}

/**
 * A chunked /query answer is one JSON object per line; a series longer than a chunk comes in
 * several parts (`partial: true`) that are put back together here, by statement, name and tags.
 */
export function mergeChunks(text: string): StatementResult[] {
  const byStatement = new Map<number, StatementResult & { index: Map<string, QuerySeries> }>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const chunk = JSON.parse(line) as { results?: StatementResult[]; error?: string };
    if (chunk.error) throw new InfluxRejectedError(`InfluxDB query failed: ${chunk.error}`, 200);
    for (const r of chunk.results ?? []) {
      let acc = byStatement.get(r.statement_id);
      if (!acc) byStatement.set(r.statement_id, (acc = { statement_id: r.statement_id, index: new Map() }));
      if (r.error) acc.error = r.error;
      for (const s of r.series ?? []) {
        const key = `${s.name}\u0000${JSON.stringify(s.tags ?? {})}`;
        const seen = acc.index.get(key);
        if (seen) for (const v of s.values) seen.values.push(v);
        else {
          const copy = { ...s, values: [...s.values] };
          acc.index.set(key, copy);
          (acc.series ??= []).push(copy);
        }
      }
    }
  }
  return [...byStatement.values()]
    .sort((a, b) => a.statement_id - b.statement_id)
    .map(({ index: _index, ...r }) => r);
}
