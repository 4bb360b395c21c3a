import { ref } from 'vue';

/** Who is signed in, as GET /api/v1/auth/me answers (the session cookie carries the session). */
export interface SessionUser {
  username: string;
  role: 'admin' | 'ops' | 'operator' | 'leader' | 'district';
  district?: string;
  operator?: string;
}

export const currentUser = ref<SessionUser | null>(null);

/** Roles that see the whole city's live views (DESIGN "Roles"); admin too. */
export const CITY_ROLES = ['ops', 'leader'] as const;
export function seesCity(role: SessionUser['role']): boolean {
  return role === 'admin' || (CITY_ROLES as readonly string[]).includes(role);
}

/** Where a role starts: the city overview, an operator its SLA, a district user its district. */
export function homeOf(user: SessionUser): string {
  if (user.role === 'operator') return '/sla';
  if (user.role === 'district' && user.district) return `/district/${user.district}`;
  return '/';
}
let checked: Promise<SessionUser | null> | undefined;
const signedInListeners = new Set<() => void>();

/** Asks the server once per page load (again after sign-in or sign-out) who the session is. */
export function checkSession(force = false): Promise<SessionUser | null> {
  if (!checked || force) {
    checked = fetch('/api/v1/auth/me', { credentials: 'same-origin' })
      .then(async (r) => (r.ok ? ((await r.json()) as SessionUser) : null))
      .catch(() => null)
      .then((u) => (currentUser.value = u));
  }
  return checked;
}

export type SignInResult = { ok: true } | { ok: false; reason: 'wrong' | 'throttled' | 'invalid' | 'network'; retryAfterSeconds?: number };

/** POST /api/v1/auth/login: the server sets the httpOnly session cookie. */
export async function signIn(username: string, password: string): Promise<SignInResult> {
  let res: Response;
  try {
    res = await fetch('/api/v1/auth/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    return { ok: false, reason: 'network' };
  }
  if (res.status === 429) return { ok: false, reason: 'throttled', retryAfterSeconds: Number(res.headers.get('retry-after')) || undefined };
  if (res.status === 400) return { ok: false, reason: 'invalid' };
  if (!res.ok) return { ok: false, reason: 'wrong' };
  const body = (await res.json()) as { user: SessionUser };
  currentUser.value = body.user;
  checked = Promise.resolve(body.user);
  for (const l of signedInListeners) l();
  return { ok: true };
}

export async function signOut(): Promise<void> {
  await fetch('/api/v1/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  currentUser.value = null;
  checked = Promise.resolve(null);
}

/** Hears each successful sign-in (the live connection reconnects with the new cookie). */
export function onSignedIn(listener: () => void): () => void {
  signedInListeners.add(listener);
  return () => signedInListeners.delete(listener);
}
