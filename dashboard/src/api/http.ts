/**
 * JSON over the REST API with the session cookie. A 4xx/5xx becomes an ApiError carrying the
 * server's `{error:{code,message,details}}`, so forms can show the server's own message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Reads the error body of a failed response (or makes one from the status line). */
export async function errorOf(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return errorFromBody(res.status, body, res.statusText);
}

/** Pure: the ApiError a status and a parsed body stand for. */
export function errorFromBody(status: number, body: unknown, statusText = ''): ApiError {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (e && typeof e.message === 'string') return new ApiError(status, typeof e.code === 'string' ? e.code : String(status), e.message, e.details);
  return new ApiError(status, String(status), `HTTP ${status}${statusText ? ` ${statusText}` : ''}`);
}

/** fetch + JSON; a 204 answers undefined. Throws ApiError on an HTTP error, TypeError when offline. */
export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const headers: Record<string, string> = { accept: 'application/json', ...((rest.headers as Record<string, string>) ?? {}) };
  if (json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { credentials: 'same-origin', ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** How the HTTP layer words its errors: the page's i18n (main.ts installs it; tests may). */
export interface ErrorWords {
  t: (key: string, params?: Record<string, unknown>) => string;
  locale: () => string;
}
let words: ErrorWords | undefined;
export function setErrorWords(w: ErrorWords | undefined): void {
  words = w;
}

/** The HTTP status a failure carries: an ApiError's (any HTTP layer's), or a bare `HTTP 401` line's. */
function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  if (typeof s === 'number' && s >= 400) return s;
  const m = err instanceof Error ? /^HTTP (\d{3})\b/.exec(err.message) : null;
  return m ? Number(m[1]) : undefined;
}

/** The catalogue key (`httpError.*`) a failure stands for; undefined for one that is not HTTP's. */
export function errorKeyOf(err: unknown): { key: string; params: Record<string, unknown> } | undefined {
  const status = statusOf(err);
  if (status !== undefined) {
    const key = [400, 401, 403, 404, 409, 413, 429].includes(status) ? `s${status}` : status === 422 ? 's400' : status >= 500 ? 's5xx' : 'other';
    return { key: `httpError.${key}`, params: { status, detail: detailOf(err) } };
  }
  if (err instanceof TypeError) return { key: 'httpError.network', params: {} };
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return { key: 'httpError.timeout', params: {} };
  return undefined;
}

/** The server's (or the browser's) own words for a failure: for a title, logs, the English locale. */
export function detailOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A message for any failure, for the user (issue 15 item 4): an HTTP status or a network failure
 * worded from the catalogue, so no raw English server text reaches a zh-CN user (401 →
 * 登录已过期，请重新登录, 403 → 无权查看此内容...); in English the server's own words follow, and in
 * Chinese too where the user must act on them (bad input: which field and why; a conflict). Before
 * the words are installed (unit tests), the server's own words as before.
 */
export function messageOf(err: unknown): string {
  const detail = detailOf(err);
  const k = words ? errorKeyOf(err) : undefined;
  if (!words || !k) return detail;
  const text = words.t(k.key, k.params);
  const own = detail && !/^HTTP \d{3}\b/.test(detail) && !(err instanceof TypeError);
  // Bad input (400, 422) says what is wrong and where in every locale (the template holds {detail});
  // a conflict or an oversize body adds the server's reason, which the user needs to act on.
  if (k.key === 'httpError.s400') return own ? text : words.t('httpError.s400', { detail: '' }).replace(/[：:]\s*$/, '');
  return own && (words.locale() === 'en' || k.key === 'httpError.s409' || k.key === 'httpError.s413') ? `${text}${words.locale() === 'en' ? ': ' : '：'}${detail}` : text;
}

/**
 * The live feed's refusal of a topic (`subscribe_error`, server/src/live/live-topics.service.ts
 * says why in English) as the HTTP status it amounts to, for messageOf to word: not signed in →
 * 401, a topic that does not exist or is not served → 404, any other refusal (a district user's
 * other units, an operator) → 403.
 */
export function liveRefusal(raw: string): Error & { status: number } {
  const status = /^sign in/.test(raw) ? 401 : /^unknown topic|is not served/.test(raw) ? 404 : 403;
  return Object.assign(new Error(raw), { status });
}

/** Saves a text body as a file (CSV exports): the browser's download, with the server's name. */
export async function download(path: string, fallbackName: string): Promise<{ bytes: number; name: string }> {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) throw await errorOf(res);
  const blob = await res.blob();
  const cd = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="([^"]+)"/i.exec(cd);
  const name = star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { bytes: blob.size, name };
}
