import { errorFromBody, type ApiError } from './http';

export type UploadResult<T> = { ok: true; status: number; body: T } | { ok: false; status: number; error: ApiError };

/**
 * POSTs a file as the raw body with upload progress (fetch cannot report it; XMLHttpRequest can).
 * `onProgress(fraction)` is called as bytes go out; then the server works (no more progress).
 * Resolves with the parsed answer or the server's error; rejects only when the network fails.
 */
export function uploadWithProgress<T>(url: string, body: Blob, contentType: string, onProgress: (fraction: number) => void): Promise<UploadResult<T>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', contentType);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.upload.onload = () => onProgress(1);
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.onload = () => {
      let parsed: unknown;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        parsed = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve({ ok: true, status: xhr.status, body: parsed as T });
      else resolve({ ok: false, status: xhr.status, error: errorFromBody(xhr.status, parsed, xhr.statusText) });
    };
    xhr.send(body);
  });
}
