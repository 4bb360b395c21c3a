import type { Sample } from './exposition.parser.js';

/**
 * PromQL instant-vector selectors, the way operators already write them:
 *   node_load1
 *   node_cpu_seconds_total{mode="idle"}
 *   node_filesystem_avail_bytes{fstype!~"tmpfs|overlay", mountpoint=~"/|/data.*"}
 *   {__name__=~"share_api_.*_total"}
 * Regular expressions are anchored at both ends, as in PromQL. Pure; parsed once at config time.
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  label: string;
  op: MatchOp;
  value: string;
}

export interface Selector {
  /** The metric name, when written before the braces. */
  name?: string;
  matchers: LabelMatcher[];
  /** Matches a sample (its name and labels). A missing label matches as the empty string. */
  test(sample: Pick<Sample, 'name' | 'labels'>): boolean;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', '\\': '\\', '"': '"', "'": "'" };

/** Parses a selector; throws an Error whose message says what is wrong and where. */
export function parseSelector(text: string): Selector {
  let pos = 0;
  const rest = () => text.slice(pos);
  const blanks = () => {
    while (text[pos] === ' ' || text[pos] === '\t') pos++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at position ${pos + 1} of ${JSON.stringify(text)}`);
  };

  blanks();
  const nameMatch = NAME.exec(rest());
  const name = nameMatch?.[0];
  if (name) pos += name.length;
  blanks();
  const matchers: LabelMatcher[] = [];
  if (text[pos] === '{') {
    pos++;
    for (;;) {
      blanks();
      if (text[pos] === '}') {
        pos++;
        break;
      }
      const label = LABEL.exec(rest())?.[0] ?? fail('expected a label name');
      pos += label.length;
      blanks();
      const op = (/^(=~|!~|!=|=)/.exec(rest())?.[0] as MatchOp | undefined) ?? fail(`expected =, !=, =~ or !~ after ${label}`);
      pos += op.length;
      blanks();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail(`expected a quoted value for ${label}`);
      pos++;
      let value = '';
      for (;;) {
        const c = text[pos++];
        if (c === undefined) fail('unterminated quoted value');
        if (c === quote) break;
        if (c === '\\') {
          const e = text[pos++];
          value += ESCAPES[e] ?? fail(`invalid escape \\${e ?? ''}`);
        } else {
          value += c;
        }
      }
      matchers.push({ label, op, value });
      blanks();
      if (text[pos] === ',') pos++;
      else if (text[pos] !== '}') fail('expected , or }');
    }
  }
  blanks();
  if (pos < text.length) fail('unexpected text');
  if (!name && !matchers.some((m) => m.label === '__name__' && (m.op === '=' || m.op === '=~'))) {
    fail('a selector needs a metric name (or a __name__ matcher)');
  }

  const tests = matchers.map((m): ((s: Pick<Sample, 'name' | 'labels'>) => boolean) => {
    const get = m.label === '__name__' ? (s: Pick<Sample, 'name' | 'labels'>) => s.name : (s: Pick<Sample, 'name' | 'labels'>) => s.labels[m.label] ?? '';
    if (m.op === '=') return (s) => get(s) === m.value;
    if (m.op === '!=') return (s) => get(s) !== m.value;
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${m.value})$`);
    } catch (err) {
      throw new Error(`${JSON.stringify(m.value)} is not a valid regular expression (${(err as Error).message}) in ${JSON.stringify(text)}`);
    }
    return m.op === '=~' ? (s) => re.test(get(s)) : (s) => !re.test(get(s));
  });
  return {
    name,
    matchers,
    test: (sample) => (name === undefined || sample.name === name) && tests.every((t) => t(sample)),
  };
}
