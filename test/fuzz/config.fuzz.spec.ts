// Hostile YAML for the collector agent's config (collectors: parseConfig / loadConfigFile):
// arbitrary text and bytes, the shipped samples mutated line by line, YAML's sharp edges (aliases,
// merge keys, tags, duplicate keys, huge numbers). Either a config or a ConfigError whose every
// line reads `file[:line]: [key: ]message`; never another exception type.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError, loadBuiltinProbes, parseConfig, loadConfigFile } from '@zhuyun/collectors';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/server.js';
import { FUZZ_TIMEOUT, nastyString, params } from './fuzz.support.js';

const FILE = 'fuzz-agent.yaml';
let dir: string;
beforeAll(async () => {
  await loadBuiltinProbes();
  dir = mkdtempSync(join(tmpdir(), 'zhuyun-fuzz-config-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const probesDir = join(repoRoot, 'collectors/src/probes');
const SAMPLES = [
  readFileSync(join(repoRoot, 'collectors/examples/agent.sample.yaml'), 'utf8'),
  readFileSync(join(repoRoot, 'collectors/examples/rss-200-series.yaml'), 'utf8'),
  ...readdirSync(probesDir).flatMap((d) => {
    try {
      return [readFileSync(join(probesDir, d, `${d}.sample.yaml`), 'utf8')];
    } catch {
      return [];
    }
  }),
];

/** The outcome the config loader promises: a config, or a ConfigError saying where and what. */
function expectConfigOrConfigError(run: () => unknown, source: string, text: string): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof ConfigError)) {
      throw new Error(`not a ConfigError: ${(err as Error)?.name}: ${(err as Error)?.message}\n--- input ---\n${text.slice(0, 800)}`);
    }
    expect(err.issues.length).toBeGreaterThan(0);
    const lines = text.split(/\r\n|\r|\n/).length;
    for (const issue of err.issues) {
      expect(typeof issue.message).toBe('string');
      expect(issue.message.length).toBeGreaterThan(0);
      if (issue.line !== undefined) {
        expect(Number.isInteger(issue.line)).toBe(true);
        expect(issue.line).toBeGreaterThanOrEqual(1);
        expect(issue.line).toBeLessThanOrEqual(lines + 1);
      }
    }
    for (const l of err.message.split('\n').filter((x) => x.startsWith(source))) expect(l).toMatch(new RegExp(`^${source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?: `));
    expect(err.message.startsWith(source)).toBe(true);
  }
}

const yamlScalar = fc.oneof(
  nastyString(30),
  fc.constantFrom('~', 'null', 'true', 'no', 'on', '0x1F', '0o17', '.inf', '-.inf', '.nan', '1e999', '-0', '10', '10s', '0s', '-5s', '1e3ms', '999999999999h', '1.5m', '512MiB', '0B', '9999999TiB', '"quoted"', "'single'", '"unterminated', '[1, 2', '{a: 1}', '[]', '{}', '&a x', '*a', '*undefined_alias', '!!binary aGVsbG8=', '!!js/function "f(){}"', '!!set {a, b}', '!!omap [a: 1]', '!!timestamp 2026-01-01', '!custom x', '|', '>-', '<<: *a', '__proto__', '2026-13-45', '"\\u0000"', '"\\uD800"'),
);

/** A sample with lines dropped, duplicated, re-indented or with their value replaced. */
const mutatedSample = fc
  .tuple(fc.constantFrom(...SAMPLES), fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'dup', 'indent', 'dedent', 'value', 'key', 'insert', 'tab')), { minLength: 1, maxLength: 5 }), fc.array(yamlScalar, { minLength: 5, maxLength: 5 }))
  .map(([text, edits, scalars]) => {
    const lines = text.split('\n');
    edits.forEach(([n, op], k) => {
      const i = n % lines.length;
      const l = lines[i];
      const s = scalars[k % scalars.length];
      if (op === 'drop') lines.splice(i, 1);
      else if (op === 'dup') lines.splice(i, 0, l);
      else if (op === 'indent') lines[i] = `  ${l}`;
      else if (op === 'dedent') lines[i] = l.replace(/^ {1,2}/, '');
      else if (op === 'tab') lines[i] = `\t${l}`;
      else if (op === 'value') lines[i] = l.includes(':') ? `${l.slice(0, l.indexOf(':') + 1)} ${s}` : `${l} ${s}`;
      else if (op === 'key') lines[i] = l.replace(/^(\s*-?\s*)[^:#]*:/, `$1${s}:`);
      else lines.splice(i, 0, `${l.match(/^\s*/)![0]}${s}`);
    });
    return lines.join('\n');
  });

/** YAML constructs with known sharp edges in loaders. */
const sharpEdges = fc.constantFrom(
  // billion laughs: aliases expanding exponentially
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
  'server: &s\n  url: http://127.0.0.1:1\n  token: t\nserver2: *s\ncollector:\n  id: x\n  district: "520103"\n  <<: *s\n',
  'server:\n  url: http://127.0.0.1:1\n  url: http://127.0.0.1:2\n  token: t\ncollector: {id: a, district: "520103"}\n',
  'server: !!binary aGVsbG8=\n',
  'probes: !!set {a, b}\n',
  'probes:\n  - &p {type: simulate, interval: 10s}\n  - *p\n  - <<: *p\n    interval: 1s\n',
  'a: &a\n  b: *a\n',
  '--- \nserver: {}\n--- \ncollector: {}\n',
  '%YAML 1.1\n---\nserver: {url: yes}\n',
  '%TAG ! tag:x,2026:\n---\nserver: !foo {}\n',
  '? [a, b]\n: c\n',
  '? {server: 1}\n: x\n',
  'probes:\n' + '  - type: simulate\n    interval: 10s\n'.repeat(2000),
  'x: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n',
  'x: ' + '{a: '.repeat(2000) + '1' + '}'.repeat(2000) + '\n',
  '\uFEFFserver:\n  url: http://127.0.0.1:1\n',
  'server:\r\n  url: http://127.0.0.1:1\r\n  token: t\r\n',
  'collector:\n  id: a\n  district: 520103\n  batch_size: 1e400\n',
  'probes:\n  - type: __proto__\n  - type: constructor\n  - type: toString\n',
  'probes:\n  - {type: simulate, __proto__: {interval: 1s}}\n',
  '__proto__:\n  server: {url: x}\nconstructor: 1\n',
);

describe('collector config under hostile YAML', () => {
  it('parseConfig: a config or a ConfigError with file:line: key: message', () => {
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: mutatedSample }, fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 200 }), sharpEdges), (text) => {
        expectConfigOrConfigError(() => parseConfig(text, FILE), FILE, text);
      }),
      params(500),
    );
  }, FUZZ_TIMEOUT);

  it('loadConfigFile: the same from a file (bytes, not only UTF-8), probe types loaded from what it names', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: mutatedSample.map((t) => Buffer.from(t)) }, fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), sharpEdges.map((t) => Buffer.from(t))), async (bytes) => {
        const path = join(dir, `c-${n++}.yaml`);
        writeFileSync(path, bytes);
        try {
          await loadConfigFile(path);
        } catch (err) {
          expectConfigOrConfigError(() => { throw err; }, path, bytes.toString('utf8'));
        }
      }),
      params(200),
    );
  }, FUZZ_TIMEOUT);
});
