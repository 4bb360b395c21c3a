/**
 * mulberry32: a tiny seeded PRNG (32-bit state, period 2^32), plenty for a simulation and
 * reproducible across Node versions, which Math.random is not.
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A seed derived from a base seed and a label, so each stream (values, faults) is independent. */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label, mixed with the seed.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Standard normal deviate (Box–Muller). */
export function gaussian(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function uniform(random: Random, min: number, max: number): number {
  return min + (max - min) * random();
}
