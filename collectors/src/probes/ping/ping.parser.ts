/**
 * Pure parsing of the system `ping`'s output and the statistics the probe reports. No I/O: the
 * golden tests feed it captured outputs from testdata/.
 *
 * Written against Debian's iputils (`64 bytes from 10.1.0.1: icmp_seq=3 ttl=62 time=1.84 ms`,
 * `5 packets transmitted, 4 received, +1 errors, 20% packet loss, time 4006ms`); BusyBox's
 * `seq=3 ... time=1.840 ms` and `5 packets received` read the same.
 */

export interface PingReply {
  /** icmp_seq as printed (1-based for iputils). */
  seq: number;
  rttMs: number;
}

export interface PingSummary {
  transmitted: number;
  received: number;
  /** ICMP errors reported by routers or the kernel (`+N errors`), e.g. Destination Host Unreachable. */
  errors: number;
}

export interface ParsedPing {
  /** Replies in the order printed, duplicates (`(DUP!)`) left out. */
  replies: PingReply[];
  /** Absent when ping was cut off before it printed its statistics. */
  summary?: PingSummary;
  duplicates: number;
}

const REPLY = /\b(?:icmp_)?seq=(\d+)\b.*?\btime[=<]\s*(\d+(?:\.\d+)?)\s*ms/;
const TRANSMITTED = /(\d+) packets transmitted, (\d+) (?:packets )?received/;
const ERRORS = /\+(\d+) errors?/;

export function parsePingOutput(stdout: string): ParsedPing {
  const replies: PingReply[] = [];
  let duplicates = 0;
  let summary: PingSummary | undefined;
  for (const line of stdout.split(/\r?\n/)) {
    const reply = REPLY.exec(line);
    if (reply && /\bbytes from\b/.test(line)) {
      // A duplicate answers a request already counted; counting it again would hide loss.
      if (line.includes('DUP!')) duplicates++;
      else replies.push({ seq: Number(reply[1]), rttMs: Number(reply[2]) });
      continue;
    }
    const tx = TRANSMITTED.exec(line);
    if (tx) {
      const errors = ERRORS.exec(line);
      summary = { transmitted: Number(tx[1]), received: Number(tx[2]), errors: errors ? Number(errors[1]) : 0 };
    }
  }
  return { replies, summary, duplicates };
}

/**
 * Why ping could not measure at all (as opposed to measuring a loss):
 * - `not_permitted`: no raw-socket capability and no unprivileged ICMP: ICMP is not allowed here.
 * - `unknown_host`: the name does not resolve (a wrong name, or DNS is down).
 * - `other`: anything else ping complained about (a bad option, an unsupported address family).
 */
export type PingFailure = 'not_permitted' | 'unknown_host' | 'other';

/**
 * Classifies a run of ping that printed no statistics. Returns undefined when the output holds
 * statistics, i.e. when ping did measure (even a 100 % loss is a measurement).
 */
export function classifyPingFailure(stdout: string, stderr: string): PingFailure | undefined {
  if (parsePingOutput(stdout).summary) return undefined;
  const text = `${stderr}\n${stdout}`;
  if (/operation not permitted|permission denied|cap_net_raw|setuid/i.test(text)) return 'not_permitted';
  if (/name or service not known|temporary failure in name resolution|unknown host|bad address|no address associated|cannot resolve|name resolution/i.test(text)) {
    return 'unknown_host';
  }
  return 'other';
}

export interface PingStats {
  sent: number;
  received: number;
  /** 0..100. */
  lossPct: number;
  /** Absent with no reply. */
  meanMs?: number;
  medianMs?: number;
  /** Mean absolute difference of successive round-trip times; absent with fewer than two replies. */
  jitterMs?: number;
}

/**
 * The numbers the probe reports from one run. `sent` comes from ping's summary when it printed one
 * (or from the TCP attempts made); replies give the round-trip times in the order they were sent.
 *
 * Jitter is the mean absolute difference between successive replies' round-trip times (the
 * smoothed interarrival jitter of RFC 3550 without its 1/16 smoothing, which needs a long stream):
 * 1, 3, 2 ms gives (2 + 1) / 2 = 1.5 ms. A lost packet just drops out of the sequence.
 */
export function pingStats(rttsInOrder: readonly number[], sent: number): PingStats {
  const received = Math.min(rttsInOrder.length, sent);
  const lossPct = sent > 0 ? round(((sent - received) / sent) * 100, 4) : 100;
  const stats: PingStats = { sent, received, lossPct };
  if (rttsInOrder.length === 0) return stats;
  stats.meanMs = round(rttsInOrder.reduce((a, b) => a + b, 0) / rttsInOrder.length, 4);
  const sorted = [...rttsInOrder].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  stats.medianMs = round(sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2, 4);
  if (rttsInOrder.length >= 2) {
    let sum = 0;
    for (let i = 1; i < rttsInOrder.length; i++) sum += Math.abs(rttsInOrder[i] - rttsInOrder[i - 1]);
    stats.jitterMs = round(sum / (rttsInOrder.length - 1), 4);
  }
  return stats;
}

/** Statistics of one ping run; `requested` is the count asked for, used when ping printed no summary. */
export function statsFromPing(parsed: ParsedPing, requested: number): PingStats {
  const replies = [...parsed.replies].sort((a, b) => a.seq - b.seq);
  const sent = parsed.summary?.transmitted ?? Math.max(requested, replies.length);
  return pingStats(replies.map((r) => r.rttMs), sent);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
