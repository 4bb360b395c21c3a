import { UNITS, findUnit, type Point } from '@zhuyun/protocol';

/**
 * The services of the operation contract (Article 12): the extranet of each district and zone, the
 * cloud sub-platform, the sharing platform and the open platform. Pure.
 */
export type ServiceKind = 'extranet' | 'cloud' | 'share' | 'open';

export interface SlaServiceDef {
  /** `extranet:<unit code>`, `cloud`, `share` or `open`. */
  id: string;
  kind: ServiceKind;
  /** For an extranet service: the district code or zone id that runs it (Article 9). */
  unit?: string;
  zh: string;
  en: string;
}

export const SLA_SERVICES: readonly SlaServiceDef[] = [
  ...UNITS.map((u) => ({ id: `extranet:${u.code}`, kind: 'extranet' as const, unit: u.code, zh: `${u.zh}电子政务外网`, en: `${u.en} extranet` })),
  { id: 'cloud', kind: 'cloud', zh: '云上贵州贵阳分平台', en: 'Cloud sub-platform' },
  { id: 'share', kind: 'share', zh: '数据共享平台', en: 'Sharing platform' },
  { id: 'open', kind: 'open', zh: '数据开放平台', en: 'Open platform' },
];

const byId = new Map(SLA_SERVICES.map((s) => [s.id, s]));

export function findService(id: string): SlaServiceDef | undefined {
  return byId.get(id);
}

export function extranetService(unit: string): string | undefined {
  return findUnit(unit) ? `extranet:${unit}` : undefined;
}

/**
 * The service a stored point is evidence for, or undefined: points tagged `platform` (cloud, share,
 * open) belong to that platform; other `net.*` points to the extranet of the unit that runs the
 * node (`tags.unit`). Collector heartbeats (`collector.*`) and anything else are no evidence.
 */
export function serviceOfPoint(p: Point): string | undefined {
  const platform = p.tags.platform;
  if (platform === 'cloud' || platform === 'share' || platform === 'open') return platform;
  if (p.metric.startsWith('net.')) return extranetService(p.tags.unit);
  return undefined;
}

/** Whether a point is a health probe (1 = answered, 0 = failed) for the service it feeds. */
export function isHealthMetric(metric: string): boolean {
  return metric === 'net.up' || metric === 'share.up' || metric === 'open.up' || metric === 'cloud.up' || metric === 'host.up';
}

/** Whether the node plays the aggregation (core) role of its unit. */
export function isCoreRole(role: string | undefined): boolean {
  return role === 'core' || role === 'aggregation';
}
