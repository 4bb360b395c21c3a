import { UNITS } from '@zhuyun/protocol';
import { ref, watch, type Ref } from 'vue';
import { getJson } from '../alerts/http';
import { currentUser, type SessionUser } from './session';

/**
 * Where a signed-in user reaches (issue 15; the server's ScopeService.reach decides, this only
 * shows): a district user its one unit, an operator the districts and zones whose extranet its
 * contracts name, everyone else the whole city (null). The district picker, the wall and the nav
 * offer these units only.
 */

/** The district and zone codes of the contracts' extranet services (`extranet:<unit>`), in the city's order. Pure. */
export function unitsOfContracts(contracts: ReadonlyArray<{ services: readonly string[] }>): string[] {
  const named = new Set(contracts.flatMap((c) => c.services.filter((s) => s.startsWith('extranet:')).map((s) => s.slice('extranet:'.length))));
  return UNITS.map((u) => u.code).filter((c) => named.has(c));
}

/** The units a user's role confines it to without asking the server: a district user's; null: the city or to be read (operator). */
export function fixedReach(user: Pick<SessionUser, 'role' | 'district'> | null): string[] | null {
  return user?.role === 'district' && user.district ? [user.district] : null;
}

/** null: the whole city; [] while an operator's contracts are read (or none names it). */
const reach = ref<string[] | null>(null);
/** True while an operator's contracts are being read (its units are not known yet). */
export const reachLoading = ref(false);
let readFor: string | null = null;

watch(
  currentUser,
  (u) => {
    if (!u || u.role !== 'operator') {
      readFor = null;
      reachLoading.value = false;
      reach.value = fixedReach(u);
      return;
    }
    if (readFor === u.username) return;
    readFor = u.username;
    reach.value = [];
    reachLoading.value = true;
    getJson<{ contracts: Array<{ services: string[] }> }>('/api/v1/sla/contracts')
      .then((r) => {
        if (readFor === u.username) reach.value = unitsOfContracts(r.contracts);
      })
      .catch(() => {
        // The SLA view says why its contracts cannot be read; here the operator keeps no unit.
        if (readFor === u.username) reach.value = [];
      })
      .finally(() => {
        if (readFor === u.username) reachLoading.value = false;
      });
  },
  { immediate: true },
);

/** The signed-in user's units (null: every unit). Shared by every view. */
export function useReach(): Ref<string[] | null> {
  return reach;
}
