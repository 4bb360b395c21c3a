import { describe, expect, it } from '@jest/globals';
import { FAILED_FOR_NOT_READY, RECENT_WRITES, WINDOW_MS, WriteHealth } from './write-health.js';

describe('WriteHealth: readiness from what writes do (issue 13 item 11)', () => {
  const t0 = 1_800_000_000_000;

  it('is ready with no writes and while writes succeed', () => {
    const h = new WriteHealth();
    expect(h.verdict(t0)).toEqual({ ok: true });
    h.record(t0);
    expect(h.verdict(t0 + 1)).toEqual({ ok: true });
  });

  it('is not ready while the latest write failed, with the reason and since when', () => {
    const h = new WriteHealth();
    h.record(t0);
    h.record(t0 + 1000, 'database or disk is full');
    const v = h.verdict(t0 + 2000);
    expect(v).toMatchObject({ ok: false, since: t0 + 1000 });
    expect(v.ok === false && v.message).toMatch(/database or disk is full/);
    // One success after one failure: ready again.
    h.record(t0 + 3000);
    expect(h.verdict(t0 + 3000)).toEqual({ ok: true });
  });

  it(`stays not ready while ${FAILED_FOR_NOT_READY} of the last ${RECENT_WRITES} failed within the window, then recovers by itself`, () => {
    const h = new WriteHealth();
    for (let i = 0; i < FAILED_FOR_NOT_READY; i++) h.record(t0 + i, 'database disk image is malformed');
    h.record(t0 + 10); // a success among failures (e.g. a probe that fit in the WAL)
    expect(h.verdict(t0 + 10)).toMatchObject({ ok: false, since: t0 });
    expect(h.verdict(t0 + WINDOW_MS - 1).ok).toBe(false);
    // The failures leave the window; the latest write succeeded.
    expect(h.verdict(t0 + WINDOW_MS + 10)).toEqual({ ok: true });
  });

  it('keeps only the last writes: old failures pushed out by successes count no more', () => {
    const h = new WriteHealth();
    for (let i = 0; i < FAILED_FOR_NOT_READY; i++) h.record(t0 + i, 'x');
    for (let i = 0; i < RECENT_WRITES; i++) h.record(t0 + 100 + i);
    expect(h.verdict(t0 + 200)).toEqual({ ok: true });
  });
});
