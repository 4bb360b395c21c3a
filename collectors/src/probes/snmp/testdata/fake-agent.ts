import { readFileSync } from 'node:fs';
import { compareOids } from '../if-mib.reader.js';
import type { SnmpSession, SnmpSessionFactory, SnmpSessionOptions, SnmpType, SnmpVarbind } from '../snmp.session.js';

/**
 * A fake SNMP agent for tests: serves varbinds recorded as `snmpwalk -On` prints them, with GET
 * and GETBULK semantics (next OIDs in MIB order, EndOfMibView past the end). It replaces the I/O
 * seam (SnmpSessionFactory), so the whole probe runs without a socket.
 */

const TYPES: Record<string, SnmpType> = {
  INTEGER: 'Integer',
  STRING: 'OctetString',
  'Hex-STRING': 'OctetString',
  Counter32: 'Counter32',
  Gauge32: 'Gauge32',
  Timeticks: 'TimeTicks',
  Counter64: 'Counter64',
};

/** Parses `snmpwalk -On` output: `.1.3.6.1.2.1.1.3.0 = Timeticks: (99) 0:00:00.99`. `#` lines are comments. */
export function parseSnmpwalk(text: string): SnmpVarbind[] {
  const out: SnmpVarbind[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^\.?([\d.]+) = (?:(""|[A-Za-z0-9-]+): ?(.*)|(""))$/.exec(line);
    if (!m) throw new Error(`snmpwalk line ${i + 1}: cannot read ${JSON.stringify(line)}`);
    const oid = m[1];
    if (m[4] === '""' || m[2] === '""') {
      out.push({ oid, type: 'OctetString', value: '' });
      continue;
    }
    const type = TYPES[m[2]] ?? 'Other';
    const text = m[3];
    let value: SnmpVarbind['value'] = null;
    switch (type) {
      case 'Counter64':
        value = BigInt(text);
        break;
      case 'TimeTicks':
        value = Number(/^\((\d+)\)/.exec(text)?.[1]);
        break;
      case 'Integer':
        // `up(1)` when MIBs were loaded, `1` without
        value = Number(/\((-?\d+)\)$/.exec(text)?.[1] ?? text);
        break;
      case 'Counter32':
      case 'Gauge32':
        value = Number(text);
        break;
      case 'OctetString':
        value = m[2] === 'Hex-STRING' ? Buffer.from(text.replace(/\s+/g, ''), 'hex').toString('latin1') : text.replace(/^"|"$/g, '');
        break;
    }
    out.push({ oid, type, value });
  }
  return out;
}

export function readWalk(url: URL): SnmpVarbind[] {
  return parseSnmpwalk(readFileSync(url, 'utf8'));
}

export class FakeSnmpAgent {
  private varbinds: SnmpVarbind[] = [];
  /** When set, every request rejects with it (a device that does not answer). */
  failure: Error | undefined;
  /** Sessions opened, requests served, and the options of the last session. */
  readonly stats = { sessions: 0, closed: 0, gets: 0, bulks: 0 };
  lastOptions: SnmpSessionOptions | undefined;

  constructor(varbinds: SnmpVarbind[] = []) {
    this.load(varbinds);
  }

  /** Replaces what the agent serves (the next reading); a copy, so `set` leaves the caller's list alone. */
  load(varbinds: SnmpVarbind[]): this {
    this.varbinds = varbinds.map((v) => ({ ...v })).sort((a, b) => compareOids(a.oid, b.oid));
    return this;
  }

  /** Changes one value in place (a restart: `set('1.3.6.1.2.1.1.3.0', 1500)`). */
  set(oid: string, value: SnmpVarbind['value']): this {
    const vb = this.varbinds.find((v) => v.oid === oid);
    if (!vb) throw new Error(`fake agent has no ${oid}`);
    vb.value = value;
    return this;
  }

  /** Drops every varbind under `prefix` (a column the agent does not implement). */
  drop(prefix: string): this {
    this.varbinds = this.varbinds.filter((v) => v.oid !== prefix && !v.oid.startsWith(`${prefix}.`));
    return this;
  }

  readonly factory: SnmpSessionFactory = (options) => {
    this.stats.sessions++;
    this.lastOptions = options;
    let closed = false;
    const check = () => {
      if (closed) throw new Error('session closed');
      if (this.failure) throw this.failure;
    };
    const session: SnmpSession = {
      get: async (oids) => {
        check();
        this.stats.gets++;
        return oids.map((oid) => this.varbinds.find((v) => v.oid === oid) ?? { oid, type: 'NoSuchObject' as const, value: null });
      },
      getBulk: async (oids, maxRepetitions) => {
        check();
        this.stats.bulks++;
        return oids.map((oid) => {
          const start = this.varbinds.findIndex((v) => compareOids(v.oid, oid) > 0);
          if (start < 0) return [{ oid, type: 'EndOfMibView' as const, value: null }];
          const group = this.varbinds.slice(start, start + maxRepetitions).map((v) => ({ ...v }));
          if (group.length < maxRepetitions) group.push({ oid: group[group.length - 1].oid, type: 'EndOfMibView', value: null });
          return group;
        });
      },
      close: () => {
        if (!closed) this.stats.closed++;
        closed = true;
      },
    };
    return session;
  };
}
