import type { Tags } from './ingest.js';

/**
 * The alerts API and the `alerts` live topic (docs/ALERTS.md): what the server sends and the
 * dashboard reads, declared once.
 */
export type AlertState = 'inactive' | 'pending' | 'firing' | 'resolved';

/** One alert per rule and series. */
export interface AlertView {
  id: string;
  ruleId: string;
  series: string;
  metric: string;
  tags: Tags;
  district: string;
  unit: string;
  node: string;
  severity: string;
  state: AlertState;
  value: number | null;
  activeAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  updatedAt: number;
  ack: { by: string; at: number; comment: string | null } | null;
  escalatedAt: number | null;
  /**
   * `silence:<id>`, `behind:<node>` (a parent down) or `down:<node>` (its own node is down: a loss
   * or latency alert of a down node) while notifications are held back.
   */
  suppressed: string | null;
  /**
   * Open alerts (the live topic, and the list for the ones still open): the id of the lead alert
   * of its outage group (server alert-groups.ts; its own id when alone), the group's size, the
   * registry name of the node it is held back behind, and why it still fires when its value no
   * longer breaches (docs/ALERTS.md).
   */
  group?: string;
  groupSize?: number;
  suppressedName?: string;
  hold?: AlertHold | null;
}

/**
 * Why a firing alert still fires although its latest value no longer breaches the threshold:
 * `hysteresis`: not yet past the rule's resolve threshold; `keepFiring`: recovered, held for the
 * rule's keep-firing time (until `until`). Codes and parameters; the dashboard words them.
 */
export type AlertHold =
  | { code: 'hysteresis'; resolveThreshold: number; comparison: string }
  | { code: 'keepFiring'; keepFiringS: number; until: number };

/** `POST /api/v1/alerts/groups/:group/ack`: the members it acknowledged and those already acknowledged. */
export interface GroupAckResult {
  group: string;
  acknowledged: string[];
  already: string[];
}

/**
 * An alert as the list, the detail and the live topic serve it: with its rule's name and, when the
 * node registry has one, its node's name (`name`, read as it is served: not stored with the alert,
 * so a renamed node shows its new name). Views show the name first and the node id second.
 */
export type AlertWithRule = AlertView & { ruleName: string | null; name?: string };

export interface TransitionView {
  id: string;
  alertId: string;
  ruleId: string;
  kind: 'state' | 'ack' | 'escalation';
  from: string;
  to: string;
  at: number;
  value: number | null;
  note: string | null;
}

/** The `alerts` live topic. */
export interface AlertsLiveData {
  ts: number;
  counts: { pending: number; firing: number; acknowledged: number; suppressed: number; escalated: number };
  /**
   * Pending and firing alerts, newest first, at most 200; past that the ones that matter most
   * (not held back, firing, by severity, newest: server alerts.live.ts), so a unit core's P1 is not
   * pushed out by the hundreds of alerts held back behind it.
   */
  open: AlertWithRule[];
  /** Latest transitions (state changes, acknowledgements, escalations), newest first, at most 50. */
  transitions: TransitionView[];
}

export interface SilenceMatchers {
  ruleId?: string;
  district?: string;
  node?: string;
}

/** A silence; `createdBy` is the signed-in user who made it. */
export interface Silence {
  id: string;
  matchers: SilenceMatchers;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  createdAt: number;
}
