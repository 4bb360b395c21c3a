import { SEVERITIES } from './alert-rules.js';

type Ranked = { id: string; state: string; severity: string; suppressed: string | null; activeAt: number; firedAt: number | null };

/**
 * The open alerts the `alerts` live topic carries when there are more than `max`: the ones that
 * matter most — not held back before held back (a unit core down holds back its hundred villages'
 * alerts, which must not push the core's own out), firing before pending, P1 before P2 before P3,
 * then the newest — returned newest first, as the topic lists them. Pure; `open` is left as it was.
 */
export function liveOpenAlerts<T extends Ranked>(open: readonly T[], max: number): T[] {
  const newest = (x: T, y: T) => (y.firedAt ?? y.activeAt) - (x.firedAt ?? x.activeAt) || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  if (open.length <= max) return [...open].sort(newest);
  const sev = (s: string) => {
    const i = (SEVERITIES as readonly string[]).indexOf(s);
    return i < 0 ? SEVERITIES.length : i;
  };
  const kept = [...open]
    .sort((x, y) => (x.suppressed ? 1 : 0) - (y.suppressed ? 1 : 0) || (x.state === 'firing' ? 0 : 1) - (y.state === 'firing' ? 0 : 1) || sev(x.severity) - sev(y.severity) || newest(x, y))
    .slice(0, Math.max(0, max));
  return kept.sort(newest);
}
