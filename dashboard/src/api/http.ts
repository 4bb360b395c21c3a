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

/** A message for any failure: the server's own words, else the browser's. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
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
