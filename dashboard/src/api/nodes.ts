import type { AlertWithRule, NodePathResponse, NodeRecord } from '@zhuyun/protocol';
import { api } from './http';

/**
 * The node page's reads (docs/NODES.md, docs/ALERTS.md): one node's registry record, its path to the
 * city core and its alerts. Each throws ApiError (404: no such node; 403: another district's).
 */
const at = (id: string) => `/api/v1/nodes/${encodeURIComponent(id)}`;

export const getNode = (id: string, init?: RequestInit) => api<NodeRecord>(at(id), init);
export const getNodePath = (id: string, init?: RequestInit) => api<NodePathResponse>(`${at(id)}/path`, init);
/** Open and recent alerts of the node, newest first (at most `limit`). */
export const getNodeAlerts = (id: string, limit = 50, init?: RequestInit) =>
  api<AlertWithRule[]>(`/api/v1/alerts?${new URLSearchParams({ node: id, limit: String(limit) })}`, init);
