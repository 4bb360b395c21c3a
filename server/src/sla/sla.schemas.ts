import { z } from 'zod';
import { findService } from './sla.catalog.js';
import { isUnitCode } from '@zhuyun/protocol';
import { isMonth, parseHhmm } from './sla.time.js';

/** The SLA API's input shapes (zod) and the one helper that turns a failure into a 400 naming the field. */
// One input check for the whole API (common/validate.ts); re-exported for the SLA files.
export { parseInput } from '../common/validate.js';

const serviceId = z.string().refine((s) => !!findService(s), { error: (i) => `${JSON.stringify(i.input)} is not an SLA service (see GET /api/v1/sla/services)` });
const hhmm = z.string().refine((s) => parseHhmm(s) !== undefined, 'must be a time HH:MM');
const weekday = z.number().int().min(1, 'weekdays are 1 (Monday) to 7 (Sunday)').max(7, 'weekdays are 1 (Monday) to 7 (Sunday)');
const epochMs = z.number().int('must be epoch milliseconds').positive('must be epoch milliseconds');

export const ServiceHoursSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('24x7') }),
  z
    .strictObject({ kind: z.literal('weekly'), days: z.array(weekday).min(1, 'name at least one day'), from: hhmm, to: hhmm })
    .refine((h) => (parseHhmm(h.to) ?? 0) > (parseHhmm(h.from) ?? 0), { message: 'to must be after from', path: ['to'] }),
]);

const contractFields = {
  operator: z.string().trim().min(1, 'is required').max(200),
  name: z.string().trim().max(200).optional(),
  services: z.array(serviceId).min(1, 'name at least one service').refine((l) => new Set(l).size === l.length, 'lists a service twice'),
  targetPct: z.number().gt(0, 'must be above 0').max(100, 'must be at most 100'),
  hours: ServiceHoursSchema,
  minOutageMinutes: z.number().int().min(1, 'must be 1 or more').max(60, 'must be at most 60'),
  effectiveFrom: epochMs.optional(),
};
export const ContractInputSchema = z.strictObject({
  ...contractFields,
  hours: contractFields.hours.default({ kind: '24x7' }),
  minOutageMinutes: contractFields.minOutageMinutes.default(1),
});
export type ContractInput = z.output<typeof ContractInputSchema>;
/** A change: only the fields given (no defaults, which would reset what is not mentioned). */
export const ContractPatchSchema = z.strictObject(contractFields).partial();

export const MonthQuerySchema = z.object({ month: z.string().refine(isMonth, 'must be YYYY-MM').optional() });
/**
 * `GET sla/services/:id/days`: the month, and optionally the contract whose terms and effective date
 * the days are counted under (the figures then add up to the contract's month figure for the service).
 */
export const DaysQuerySchema = MonthQuerySchema.extend({ contract: z.string().min(1).optional() });

export const RangeQuerySchema = z
  .object({ from: z.coerce.number().int('must be epoch milliseconds'), to: z.coerce.number().int('must be epoch milliseconds') })
  .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] })
  .refine((q) => q.to - q.from <= 31 * 86_400_000, { message: 'at most 31 days at once', path: ['to'] });

const scheduleSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('once'), start: epochMs, end: epochMs }).refine((s) => s.end > s.start, { message: 'end must be after start', path: ['end'] }),
  z.strictObject({
    kind: z.literal('weekly'),
    weekdays: z.array(weekday).min(1, 'name at least one weekday'),
    startTime: hhmm,
    durationMinutes: z.number().int().min(1, 'must be at least 1').max(7 * 1440, 'must be at most a week'),
    from: epochMs,
    until: epochMs.nullable().default(null),
  }),
]);

export const WindowInputSchema = z
  .strictObject({
    title: z.string().trim().min(1, 'is required').max(200),
    services: z.array(serviceId).default([]),
    districts: z.array(z.string().refine(isUnitCode, { error: (i) => `${JSON.stringify(i.input)} is not a district code or zone id` })).default([]),
    schedule: scheduleSchema,
    note: z.string().max(2000).optional(),
  })
  .refine((w) => w.services.length + w.districts.length > 0, { message: 'scope it to at least one service or district', path: ['services'] });
export type WindowInput = z.output<typeof WindowInputSchema>;

/** Who decides, requests, acknowledges or reclassifies is the signed-in user, a parameter of the service: never a body field. */
export const DecisionSchema = z.strictObject({ note: z.string().max(2000).optional() });

export const ReclassificationSchema = z
  .strictObject({
    service: serviceId,
    from: epochMs,
    to: epochMs,
    state: z.enum(['UP', 'DOWN', 'MAINT', 'NO_DATA']),
    reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(2000),
  })
  .refine((r) => r.to > r.from, { message: 'to must be after from', path: ['to'] })
  .refine((r) => r.to - r.from <= 31 * 86_400_000, { message: 'at most 31 days at once', path: ['to'] });
export type ReclassificationInput = z.output<typeof ReclassificationSchema>;

export const AckSchema = z.strictObject({});

export const IncidentQuerySchema = z.object({
  service: serviceId.optional(),
  month: z.string().refine(isMonth, 'must be YYYY-MM').optional(),
  open: z.enum(['true', 'false']).optional(),
});
