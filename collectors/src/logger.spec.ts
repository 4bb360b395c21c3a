import { describe, expect, it } from '@jest/globals';
import { JsonLineLogger, createDefaultLogger, errorMessage } from './logger.js';

function recorder(level: ConstructorParameters<typeof JsonLineLogger>[0]) {
  const lines: string[] = [];
  return { lines, logger: new JsonLineLogger(level, (l) => lines.push(l)), parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('JsonLineLogger', () => {
  it('writes one pino-shaped JSON line per call: level number, time, svc, the fields, msg', () => {
    const { lines, logger, parsed } = recorder('info');
    const before = Date.now();
    logger.info({ collector: 'edge-01', probes: ['simulate#0'] }, 'collector agent started');
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(lines[0]).toContain('"msg":"collector agent started"');
    const [entry] = parsed();
    expect(Object.keys(entry)).toEqual(['level', 'time', 'svc', 'collector', 'probes', 'msg']);
    expect(entry).toMatchObject({ level: 30, svc: 'zhuyun-collector', collector: 'edge-01', probes: ['simulate#0'] });
    expect(entry.time).toBeGreaterThanOrEqual(before);
  });

  it('drops what is below its level, as pino numbers them', () => {
    const { logger, parsed } = recorder('warn');
    logger.debug({}, 'd');
    logger.info({}, 'i');
    logger.warn({}, 'w');
    logger.error({}, 'e');
    expect(parsed().map((e) => [e.level, e.msg])).toEqual([[40, 'w'], [50, 'e']]);
    const silent = recorder('silent');
    silent.logger.error({}, 'nothing');
    expect(silent.lines).toEqual([]);
  });

  it('serialises errors and bigints, and keeps the line when a field has a cycle', () => {
    const { logger, parsed } = recorder('debug');
    logger.error({ err: new TypeError('boom'), counter: 2n ** 64n - 1n }, 'failed');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.warn({ cyclic }, 'still logged');
    const [first, second] = parsed();
    expect(first).toMatchObject({ err: { type: 'TypeError', message: 'boom' }, counter: '18446744073709551615', msg: 'failed' });
    expect((first.err as { stack: string }).stack).toContain('TypeError: boom');
    expect(second).toMatchObject({ level: 40, msg: 'still logged' });
    expect(second.logError).toMatch(/fields not serialisable/);
  });

  it('refuses an unknown level by name', () => {
    expect(() => createDefaultLogger('verbose')).toThrow(/"verbose" is not one of trace, debug, info, warn, error, fatal, silent/);
  });
});

describe('errorMessage', () => {
  it('adds the code of a cause, and takes anything thrown', () => {
    expect(errorMessage(Object.assign(new Error('fetch failed'), { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe('fetch failed: ECONNREFUSED');
    expect(errorMessage('plain')).toBe('plain');
  });
});
