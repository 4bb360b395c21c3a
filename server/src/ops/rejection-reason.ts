/**
 * Why a point was refused, as one of a few fixed words for the `reason` label of
 * zhuyun_ingest_rejected_points_total (the messages themselves name values and are unbounded).
 * Pure: reads the validation message (protocol validatePoint, line protocol parsing).
 */
export const REJECTION_REASONS = ['shape', 'metric', 'ts', 'ts_future', 'ts_too_old', 'value', 'tags', 'district', 'parse', 'field_type', 'cardinality', 'unit_scope', 'node_unit', 'node_retired', 'node_refused', 'other'] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

const RULES: ReadonlyArray<[RegExp, RejectionReason]> = [
  [/^point must be an object/, 'shape'],
  [/^metric /, 'metric'],
  [/^ts .* is in the future/, 'ts_future'],
  [/^ts .* is older than/, 'ts_too_old'],
  [/^ts /, 'ts'],
  [/^value /, 'value'],
  [/^unknown district/, 'district'],
  [/^(tags|tag |tag key |at most \d+ tags)/, 'tags'],
  [/^input field .* is type string/, 'field_type'],
  [/^unable to parse /, 'parse'],
  // ingest/cardinality.guard.ts CARDINALITY_PREFIX
  [/^cardinality limit: /, 'cardinality'],
  // IngestService.placeOf: a collector writes only where it stands.
  [/^unit \S+ is not among the units of collector /, 'unit_scope'],
  [/^node \S+ belongs to unit /, 'node_unit'],
  // IngestService.registered: the node registry (docs/NODES.md).
  [/^node \S+ is retired/, 'node_retired'],
  [/^node \S+ was refused by ops/, 'node_refused'],
];

export function rejectionReason(error: string): RejectionReason {
  for (const [re, reason] of RULES) if (re.test(error)) return reason;
  return 'other';
}
