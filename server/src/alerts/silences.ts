import { z } from 'zod';
import type { AlertInstance } from './alert.machine.js';
import { isDownAlert } from './alert-groups.js';
export type { Silence, SilenceMatchers } from '@zhuyun/protocol';
import type { Silence, SilenceMatchers } from '@zhuyun/protocol';

/**
 * Silences (docs/ALERTS.md "Silences"): an alert matching every given matcher, between start and
 * end, is not notified (it is still evaluated and listed, marked suppressed). Pure.
 */

const V = z.string().trim().min(1).max(128);

export const SilenceInputSchema = z
  .object({
    matchers: z
      .object({ ruleId: V.optional(), district: V.optional(), node: V.optional() })
      .strict()
      .refine((m) => m.ruleId !== undefined || m.district !== undefined || m.node !== undefined, {
        message: 'a silence needs at least one matcher (ruleId, district or node)',
      }),
    startsAt: z.number().int().min(0).optional(),
    endsAt: z.number().int().min(0),
    comment: z.string().trim().min(1, 'say why').max(1000),
  })
  .strict();
export type SilenceInput = z.infer<typeof SilenceInputSchema>;

export function silenceMatches(s: Silence, a: Pick<AlertInstance, 'ruleId' | 'tags'>, t: number): boolean {
  if (t < s.startsAt || t >= s.endsAt) return false;
  const m = s.matchers;
  if (m.ruleId !== undefined && m.ruleId !== a.ruleId) return false;
  if (m.district !== undefined && m.district !== a.tags.district && m.district !== a.tags.unit) return false;
  if (m.node !== undefined && m.node !== a.tags.node) return false;
  return true;
}

/**
 * Why an alert is held back at `t`: the first matching silence (`silence:<id>`), else the node's
 * nearest down ancestor (`behind:<node>`, from the live status), else, for an alert that is not
 * itself a down alert (loss, latency, jitter of the node), its own node being down (`down:<node>`:
 * the node-down alert speaks for it), else null.
 */
export function suppressionOf(
  a: Pick<AlertInstance, 'ruleId' | 'tags' | 'metric'>,
  t: number,
  silences: readonly Silence[],
  behindOf: (node: string) => string | undefined,
  nodeDown: (node: string) => boolean = () => false,
): string | null {
  for (const s of silences) if (silenceMatches(s, a, t)) return `silence:${s.id}`;
  const behind = behindOf(a.tags.node);
  if (behind) return `behind:${behind}`;
  if (!isDownAlert(a) && nodeDown(a.tags.node)) return `down:${a.tags.node}`;
  return null;
}
