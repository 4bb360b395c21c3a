import { Inject, Injectable } from '@nestjs/common';
import { MAX_POINTS_PER_BATCH, isPrecision, parseLineProtocol, type LineResult, type RawPoint } from '@zhuyun/protocol';
import { CollectorTokensService, type CollectorIdentity } from '../auth/collector-tokens.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError, UnauthorizedError, ValidationError } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { MetricsService } from '../ops/metrics.service.js';
import { INFLUX_DATABASE, answerInfluxQuery, type InfluxCredentials, type InfluxQueryResponse } from './influx-compat.js';
import { IngestService } from './ingest.service.js';

/** A quoted line in an error is cut here: a megabyte of garbage is not echoed back. */
const QUOTE_MAX = 1_000;

export interface WriteParams {
  db?: string;
  precision?: string;
}

export interface WriteSummary {
  /** Lines read (blank lines and comments not counted). */
  lines: number;
  /** Points stored. */
  written: number;
}

/**
 * `POST /write` (InfluxDB 1.x line protocol) on top of the shared ingest path: authenticate the
 * collector, parse the body, hand the points to `IngestService.accept` (which validates, stores
 * durably and feeds the live status). The InfluxDB-shaped messages are made here; the controller
 * only maps the domain errors to status codes.
 */
@Injectable()
export class LineProtocolService {
  constructor(
    private readonly tokens: CollectorTokensService,
    private readonly ingest: IngestService,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Resolves once every point of the body is stored. When some lines, fields or points were
   * refused, the good ones are stored first and then ValidationError says
   * `partial write: <first reason> dropped=<n>`; when no line parses, nothing is stored and
   * ValidationError says `unable to parse '<line>': <reason>`. UnauthorizedError: no or bad
   * credentials; NotFoundError: another database; UnavailableError: storage refused (retry).
   * An empty body (or only comments) stores nothing and succeeds, as in InfluxDB.
   */
  async write(credentials: InfluxCredentials | null, params: WriteParams, body: string, userAgent?: string): Promise<WriteSummary> {
    let collector: CollectorIdentity;
    try {
      collector = await this.authenticate(credentials);
    } catch (err) {
      this.metrics.ingestBatches.inc({ outcome: 'unauthorized' });
      throw err;
    }
    this.tokens.recordSeen(collector.id, userAgent);
    if (!params.db) throw new ValidationError('database is required');
    if (params.db !== INFLUX_DATABASE) throw new NotFoundError(`database not found: ${JSON.stringify(params.db)}`);
    const precision = params.precision || 'ns';
    // InfluxDB answers an unknown precision so too: taking it as ns would put points in 1970.
    if (!isPrecision(precision)) throw new ValidationError(`invalid precision ${JSON.stringify(precision)} (use n, ns, u, us, ms, s, m or h)`);

    const lines = parseLineProtocol(body, { precision, now: this.clock.now() });
    if (lines.length === 0) return { lines: 0, written: 0 };
    const first = lines[0];
    if (!first.ok && lines.every((l) => !l.ok)) {
      this.metrics.ingestBatches.inc({ outcome: 'invalid' });
      this.metrics.ingestPoints.inc({ result: 'rejected' }, lines.length);
      this.metrics.ingestRejectedPoints.inc({ reason: 'parse' }, lines.length);
      throw new ValidationError(unableToParse(first));
    }

    // Refusals in line order; the first one is the reason the client reads.
    const refusals: Array<{ line: number; reason: string }> = [];
    const refusalErrors: string[] = [];
    const points: RawPoint[] = [];
    const origins: Array<{ line: number; field: string }> = [];
    for (const l of lines) {
      if (!l.ok) {
        refusals.push({ line: l.line, reason: unableToParse(l) });
        refusalErrors.push(unableToParse(l));
        continue;
      }
      for (const p of l.points) {
        points.push(p.point);
        origins.push({ line: l.line, field: p.field });
      }
      for (const r of l.refused) {
        refusals.push({ line: l.line, reason: `line ${l.line}: ${r.error}` });
        refusalErrors.push(r.error);
      }
    }
    if (refusals.length) {
      this.metrics.ingestPoints.inc({ result: 'rejected' }, refusals.length);
      this.metrics.pointsRejected(refusalErrors);
    }

    // accept() takes any length; chunks keep each store transaction and status update bounded.
    let written = 0;
    for (let from = 0; from < points.length; from += MAX_POINTS_PER_BATCH) {
      const { accepted, rejected } = await this.ingest.accept(points.slice(from, from + MAX_POINTS_PER_BATCH), { collector: collector.id, protocol: 'line' }, collector);
      written += accepted;
      for (const r of rejected) {
        const { line, field } = origins[from + r.index];
        refusals.push({ line, reason: `line ${line}, field ${JSON.stringify(field)}: ${r.error}` });
      }
    }
    this.metrics.ingestBatches.inc({ outcome: 'stored' });
    if (refusals.length) {
      refusals.sort((a, b) => a.line - b.line);
      this.log.debug({ collector: collector.id, written, dropped: refusals.length, first: refusals[0].reason }, 'line protocol: partial write');
      throw new ValidationError(`partial write: ${refusals[0].reason} dropped=${refusals.length}`);
    }
    return { lines: lines.length, written };
  }

  /** `/query`, for the statements clients send at start; the same credentials as `/write`. */
  async query(credentials: InfluxCredentials | null, q: string | undefined): Promise<InfluxQueryResponse> {
    await this.authenticate(credentials);
    if (!q) throw new ValidationError('missing required parameter "q"');
    return answerInfluxQuery(q);
  }

  /**
   * The collector the token belongs to. The username is optional; when given it must be that
   * collector's id. UnauthorizedError otherwise (the client sees only "authorization failed",
   * as from InfluxDB, so the reason is logged).
   */
  private async authenticate(credentials: InfluxCredentials | null): Promise<CollectorIdentity> {
    try {
      if (!credentials) throw new UnauthorizedError('no credentials: send u/p, Basic auth or "Authorization: Token <collector token>"');
      const collector = await this.tokens.verifyToken(credentials.password);
      if (credentials.username && credentials.username !== collector.id) {
        throw new UnauthorizedError(`username ${JSON.stringify(credentials.username)} is not ${collector.id}, the collector of this token`);
      }
      return collector;
    } catch (err) {
      if (err instanceof UnauthorizedError) this.log.info({ reason: err.message }, 'line protocol: authorization failed');
      throw err;
    }
  }
}

/** InfluxDB's message for a line it cannot read. */
function unableToParse(l: Extract<LineResult, { ok: false }>): string {
  const text = l.text.length > QUOTE_MAX ? `${l.text.slice(0, QUOTE_MAX)}…` : l.text;
  return `unable to parse '${text}': ${l.error}`;
}
