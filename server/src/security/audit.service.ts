import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { csvDocument, type CsvValue } from '../common/csv.writer.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { parseInput } from '../common/validate.js';
import { DATABASE, type Db } from '../db/database.js';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  outcome?: 'ok' | 'denied' | 'failed';
  before?: unknown;
  after?: unknown;
  address?: string;
}

export interface AuditRecord extends Required<Pick<AuditEntry, 'actor' | 'action'>> {
  id: string;
  at: number;
  target: string | null;
  outcome: string;
  before: unknown;
  after: unknown;
  address: string | null;
}

const ListSchema = z.strictObject({
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  actor: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(500),
  format: z.enum(['json', 'csv']).default('json'),
});

/** Keys whose values never reach the audit log, whatever object is recorded. */
const SECRET_KEYS = /pass(word)?|token|secret|hash|authorization|cookie/i;

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEYS.test(k) ? '[redacted]' : scrub(v)]));
  }
  return value;
}

/**
 * The append-only audit log: logins, failed logins, admin changes, acknowledgements, SLA
 * reclassifications, token operations — who, what, when, before and after. Nothing here updates or
 * deletes a row. Secrets are scrubbed from before/after.
 */
@Injectable()
export class AuditService {
  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async record(e: AuditEntry): Promise<void> {
    const row = {
      id: randomUUID(),
      at: this.clock.now(),
      actor: e.actor.slice(0, 200),
      action: e.action,
      target: e.target ?? null,
      outcome: e.outcome ?? 'ok',
      before: e.before === undefined ? null : JSON.stringify(scrub(e.before)),
      after: e.after === undefined ? null : JSON.stringify(scrub(e.after)),
      address: e.address ?? null,
    };
    await this.db.insertInto('audit_log').values(row).execute();
    this.log.info({ audit: { actor: row.actor, action: row.action, target: row.target, outcome: row.outcome } }, 'audit');
  }

  parseQuery(query: unknown) {
    return parseInput(ListSchema, query, 'audit query');
  }

  async list(q: ReturnType<AuditService['parseQuery']>): Promise<AuditRecord[]> {
    let sel = this.db.selectFrom('audit_log').selectAll();
    if (q.from !== undefined) sel = sel.where('at', '>=', q.from);
    if (q.to !== undefined) sel = sel.where('at', '<=', q.to);
    if (q.actor) sel = sel.where('actor', '=', q.actor);
    if (q.action) sel = sel.where('action', '=', q.action);
    const rows = await sel.orderBy('at', 'desc').orderBy('id').limit(q.limit).execute();
    return rows.map((r) => ({
      ...r,
      at: Number(r.at),
      before: r.before === null ? null : JSON.parse(r.before),
      after: r.after === null ? null : JSON.parse(r.after),
    }));
  }
}

/** The audit log as CSV (UTF-8 with BOM, Beijing time beside epoch ms). */
export function auditCsv(records: readonly AuditRecord[]): string {
  const head = ['时间(time, UTC+8)', 'epoch_ms', '操作者(actor)', '操作(action)', '对象(target)', '结果(outcome)', '之前(before)', '之后(after)', '地址(address)'];
  const lines: CsvValue[][] = [head];
  const json = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
  for (const r of records) {
    const local = new Date(r.at + 8 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
    // Through the one writer (common/csv.writer.ts): an actor such as `=HYPERLINK(…)` (anyone can
    // type it as a login name) comes out as text, never as a live formula.
    lines.push([local, r.at, r.actor, r.action, r.target, r.outcome, json(r.before), json(r.after), r.address]);
  }
  return csvDocument(lines);
}
