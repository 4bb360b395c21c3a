import type { SnmpSession, SnmpVarbind } from './snmp.session.js';

/** The objects the probe reads (SNMPv2-MIB, IF-MIB), numeric so that no MIB files are needed. */
export const OIDS = {
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  // ifTable (RFC 2863), 1.3.6.1.2.1.2.2.1.<column>.<ifIndex>
  ifDescr: '1.3.6.1.2.1.2.2.1.2',
  ifSpeed: '1.3.6.1.2.1.2.2.1.5',
  ifAdminStatus: '1.3.6.1.2.1.2.2.1.7',
  ifOperStatus: '1.3.6.1.2.1.2.2.1.8',
  ifInOctets: '1.3.6.1.2.1.2.2.1.10',
  ifInDiscards: '1.3.6.1.2.1.2.2.1.13',
  ifInErrors: '1.3.6.1.2.1.2.2.1.14',
  ifOutOctets: '1.3.6.1.2.1.2.2.1.16',
  ifOutDiscards: '1.3.6.1.2.1.2.2.1.19',
  ifOutErrors: '1.3.6.1.2.1.2.2.1.20',
  // ifXTable, 1.3.6.1.2.1.31.1.1.1.<column>.<ifIndex>
  ifName: '1.3.6.1.2.1.31.1.1.1.1',
  ifHCInOctets: '1.3.6.1.2.1.31.1.1.1.6',
  ifHCOutOctets: '1.3.6.1.2.1.31.1.1.1.10',
  ifHighSpeed: '1.3.6.1.2.1.31.1.1.1.15',
  ifCounterDiscontinuityTime: '1.3.6.1.2.1.31.1.1.1.19',
} as const;

type Column = Exclude<keyof typeof OIDS, 'sysUpTime'>;
const COLUMNS = Object.keys(OIDS).filter((k): k is Column => k !== 'sysUpTime');

/** One row of ifTable + ifXTable. A column the agent does not implement is left undefined. */
export interface InterfaceRow {
  ifIndex: number;
  ifName?: string;
  ifDescr?: string;
  /** 1 up, 2 down, 3 testing. */
  adminStatus?: number;
  /** 1 up, 2 down, 3 testing, 4 unknown, 5 dormant, 6 notPresent, 7 lowerLayerDown. */
  operStatus?: number;
  hcInOctets?: bigint;
  hcOutOctets?: bigint;
  /** 32-bit counters, read as the fallback where the 64-bit ones are missing (SNMPv1, old agents). */
  inOctets?: bigint;
  outOctets?: bigint;
  /** Mbit/s. */
  highSpeed?: number;
  /** bit/s, saturates at 4294967295. */
  speed?: number;
  inErrors?: number;
  outErrors?: number;
  inDiscards?: number;
  outDiscards?: number;
  /** sysUpTime ticks of the last counter discontinuity; a change means the counters restarted. */
  discontinuityTime?: number;
}

export interface DeviceReading {
  /** sysUpTime.0 in hundredths of a second. */
  uptimeTicks: number;
  /** By ifIndex, ascending. */
  interfaces: InterfaceRow[];
}

export interface ReadOptions {
  /** Rows per column per GETBULK. */
  maxRepetitions: number;
  /** Stops a walk that would take more requests than this (an agent looping on its own OIDs). */
  maxRequests?: number;
}

/** Compares dotted OIDs by their numeric components (lexicographic order of the MIB tree). */
export function compareOids(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

const isException = (vb: SnmpVarbind) => vb.type === 'EndOfMibView' || vb.type === 'NoSuchObject' || vb.type === 'NoSuchInstance';

/**
 * Walks several table columns at once: each GETBULK asks for the next rows of every column that
 * has not ended, so a table of N rows takes about N / maxRepetitions requests whatever the number
 * of columns (what `snmptable` does). A column ends at the first OID outside it or at
 * EndOfMibView. Rejects when the session does, or when the agent answers out of order.
 */
export async function walkColumns(session: SnmpSession, bases: readonly string[], options: ReadOptions): Promise<Map<string, SnmpVarbind[]>> {
  const out = new Map<string, SnmpVarbind[]>(bases.map((b) => [b, []]));
  let active = bases.map((base) => ({ base, prefix: `${base}.`, cursor: base }));
  const maxRequests = options.maxRequests ?? 1_000;
  for (let request = 0; active.length > 0; request++) {
    if (request >= maxRequests) throw new Error(`walk of ${active.map((a) => a.base).join(', ')} did not end after ${maxRequests} requests`);
    const groups = await session.getBulk(
      active.map((a) => a.cursor),
      options.maxRepetitions,
    );
    const next: typeof active = [];
    active.forEach((column, i) => {
      const group = groups[i] ?? [];
      let ended = group.length === 0;
      for (const vb of group) {
        if (isException(vb) || !vb.oid.startsWith(column.prefix)) {
          ended = true;
          break;
        }
        if (compareOids(vb.oid, column.cursor) <= 0) {
          throw new Error(`agent answered ${vb.oid} after ${column.cursor}: OIDs out of order`);
        }
        out.get(column.base)!.push(vb);
        column.cursor = vb.oid;
      }
      if (!ended) next.push(column);
    });
    active = next;
  }
  return out;
}

function asBigint(v: SnmpVarbind['value']): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return BigInt(v);
  return undefined;
}

function asNumber(v: SnmpVarbind['value']): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/**
 * Reads sysUpTime and the interface rows. The sysUpTime GET comes first: it is the "does the
 * device answer" check and, on SNMPv3, the engine discovery. Rejects when the device does not
 * answer or does not give sysUpTime.
 */
export async function readIfMib(session: SnmpSession, options: ReadOptions): Promise<DeviceReading> {
  const [up] = await session.get([OIDS.sysUpTime]);
  if (!up || typeof up.value !== 'number') {
    throw new Error(`the agent answered sysUpTime.0 with ${up ? up.type : 'nothing'}`);
  }
  const columns = await walkColumns(
    session,
    COLUMNS.map((c) => OIDS[c]),
    options,
  );
  const rows = new Map<number, InterfaceRow>();
  for (const column of COLUMNS) {
    const base = OIDS[column];
    for (const vb of columns.get(base) ?? []) {
      const index = Number(vb.oid.slice(base.length + 1));
      if (!Number.isInteger(index) || index <= 0) continue; // not a plain ifIndex row
      let row = rows.get(index);
      if (!row) rows.set(index, (row = { ifIndex: index }));
      assign(row, column, vb.value);
    }
  }
  return { uptimeTicks: up.value, interfaces: [...rows.values()].sort((a, b) => a.ifIndex - b.ifIndex) };
}

function assign(row: InterfaceRow, column: Column, value: SnmpVarbind['value']): void {
  switch (column) {
    case 'ifName':
    case 'ifDescr':
      if (typeof value === 'string') row[column] = value;
      break;
    case 'ifHCInOctets':
      row.hcInOctets = asBigint(value);
      break;
    case 'ifHCOutOctets':
      row.hcOutOctets = asBigint(value);
      break;
    case 'ifInOctets':
      row.inOctets = asBigint(value);
      break;
    case 'ifOutOctets':
      row.outOctets = asBigint(value);
      break;
    case 'ifAdminStatus':
      row.adminStatus = asNumber(value);
      break;
    case 'ifOperStatus':
      row.operStatus = asNumber(value);
      break;
    case 'ifHighSpeed':
      row.highSpeed = asNumber(value);
      break;
    case 'ifSpeed':
      row.speed = asNumber(value);
      break;
    case 'ifInErrors':
      row.inErrors = asNumber(value);
      break;
    case 'ifOutErrors':
      row.outErrors = asNumber(value);
      break;
    case 'ifInDiscards':
      row.inDiscards = asNumber(value);
      break;
    case 'ifOutDiscards':
      row.outDiscards = asNumber(value);
      break;
    case 'ifCounterDiscontinuityTime':
      row.discontinuityTime = asNumber(value);
      break;
  }
}
