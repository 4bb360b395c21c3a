const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

/**
 * Reads a duration as written in the agent's YAML: `500ms`, `10s`, `5m`, `72h`, `1d`, or a
 * sum such as `1m30s`. A bare number is refused on purpose: `10` could be seconds or milliseconds,
 * and guessing wrong is a silent factor of 1000. Returns milliseconds (rounded), or undefined when
 * the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const m = PART.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** The inverse, for messages and logs: 90000 → `1m30s`, 1500 → `1.5s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 60_000) return `${+(ms / 1_000).toFixed(3)}s`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(rest % 1_000 === 0 ? `${rest / 1_000}s` : `${rest}ms`);
  return parts.join('');
}
