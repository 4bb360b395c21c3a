import type { NodeRecord } from '@zhuyun/protocol';
import { shallowRef, watch, type Ref } from 'vue';
import { ApiError, getJson } from '../alerts/http';

/**
 * The registry's names of the nodes in `ids` (Chinese name first, the id second: STYLE), read once
 * each from `/api/v1/nodes/:id` as ids appear. A node the registry does not know (404), outside the
 * user's units (403) or whose name is its id has none; another failure is logged and tried again
 * when the ids next change.
 */
export function useNodeNames(ids: Ref<readonly string[]>) {
  const names = shallowRef<ReadonlyMap<string, string | null>>(new Map());
  const asking = new Set<string>();

  async function read(id: string) {
    asking.add(id);
    try {
      const n = await getJson<NodeRecord>(`/api/v1/nodes/${encodeURIComponent(id)}`);
      names.value = new Map(names.value).set(id, n.name && n.name !== id ? n.name : null);
    } catch (err) {
      // Not registered (404) or outside the user's units (403): the id stands alone, asked once.
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) names.value = new Map(names.value).set(id, null);
      else console.warn(`zhuyun: the name of node ${id} could not be read`, err);
    } finally {
      asking.delete(id);
    }
  }
  watch(
    ids,
    (list) => {
      for (const id of new Set(list)) if (id && !names.value.has(id) && !asking.has(id)) void read(id);
    },
    { immediate: true },
  );
  return names;
}
