import type { AlertWithRule, NodePathResponse, NodeRecord } from '@zhuyun/protocol';
import { onScopeDispose, ref, shallowRef, toValue, watch, type MaybeRefOrGetter } from 'vue';
import { ApiError, messageOf } from '../api/http';
import { getNode, getNodeAlerts, getNodePath } from '../api/nodes';

/** How often the path (each hop's status) and the alerts are read again while the page is open. */
export const NODE_REFRESH_MS = 5_000;

export type RecordState =
  | { kind: 'loading' }
  | { kind: 'ok'; record: NodeRecord }
  | { kind: 'unknown' }
  | { kind: 'forbidden'; message: string }
  | { kind: 'error'; message: string };

/**
 * The node page's REST reads for one node id, for as long as the calling scope lives: its record
 * (once per id: 404 → `unknown`, 403 → `forbidden` with the server's words), then its path and its
 * alerts now and every NODE_REFRESH_MS. A read in flight is aborted when the id changes or the scope
 * ends; a failed refresh keeps the last good answer beside its error.
 */
export function useNodePage(id: MaybeRefOrGetter<string>) {
  const record = shallowRef<RecordState>({ kind: 'loading' });
  const path = shallowRef<NodePathResponse | null>(null);
  const pathError = ref<string | null>(null);
  const alerts = shallowRef<AlertWithRule[] | null>(null);
  const alertsError = ref<string | null>(null);
  let ctl: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const refresh = async (nid: string, signal: AbortSignal) => {
    await Promise.all([
      getNodePath(nid, { signal }).then(
        (p) => ((path.value = p), (pathError.value = null)),
        (e) => void (signal.aborted || (pathError.value = messageOf(e))),
      ),
      getNodeAlerts(nid, 50, { signal }).then(
        (a) => ((alerts.value = a), (alertsError.value = null)),
        (e) => void (signal.aborted || (alertsError.value = messageOf(e))),
      ),
    ]);
    if (!signal.aborted) timer = setTimeout(() => void refresh(nid, signal), NODE_REFRESH_MS);
  };

  watch(
    () => toValue(id),
    async (nid) => {
      ctl?.abort();
      clearTimeout(timer);
      const c = (ctl = new AbortController());
      record.value = { kind: 'loading' };
      path.value = null;
      alerts.value = null;
      pathError.value = alertsError.value = null;
      try {
        const r = await getNode(nid, { signal: c.signal });
        if (c.signal.aborted) return;
        record.value = { kind: 'ok', record: r };
        await refresh(nid, c.signal);
      } catch (e) {
        if (c.signal.aborted) return;
        if (e instanceof ApiError && e.status === 404) record.value = { kind: 'unknown' };
        else if (e instanceof ApiError && e.status === 403) record.value = { kind: 'forbidden', message: messageOf(e) };
        else record.value = { kind: 'error', message: messageOf(e) };
      }
    },
    { immediate: true },
  );
  onScopeDispose(() => {
    ctl?.abort();
    clearTimeout(timer);
  });
  return { record, path, pathError, alerts, alertsError };
}
