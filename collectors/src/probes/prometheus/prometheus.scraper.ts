/**
 * The I/O seam of the prometheus probe: one HTTP GET of an exposition. Tests pass a fake that
 * serves files from testdata/; the real one is `fetchScraper`.
 */

export interface ScrapeRequest {
  url: string;
  /** Extra request headers (Authorization...). Secrets: never logged. */
  headers: Record<string, string>;
  /** Aborted when the probe's timeout passes or the agent stops. */
  signal: AbortSignal;
  /** A body larger than this is refused rather than read into memory. */
  maxBytes: number;
}

/**
 * Fetches the exposition text. Resolves with the body of a 2xx answer; rejects on a network
 * error, a non-2xx status (with the status in the message), an HTML page, a body over
 * `maxBytes`, or an abort.
 */
export type Scraper = (request: ScrapeRequest) => Promise<string>;

/** What Prometheus asks for: the classic text format first (the probe's parser reads OpenMetrics too). */
export const ACCEPT = 'text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1';

export const fetchScraper: Scraper = async ({ url, headers, signal, maxBytes }) => {
  const res = await fetch(url, { headers: { accept: ACCEPT, 'user-agent': 'zhuyun-collector', ...headers }, signal, redirect: 'follow' });
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} from ${url}`);
  }
  // node_exporter, like many exporters, answers 200 with its HTML landing page on any other
  // path: say so rather than report a syntax error on line 1.
  if (/^text\/html\b/i.test(res.headers.get('content-type') ?? '')) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`${url} answered with a web page (text/html), not a Prometheus exposition: check the path (/metrics?)`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`the exposition is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  if (!res.body) return '';
  // Read with a running count: a chunked answer has no Content-Length to check beforehand.
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new Error(`the exposition is more than the ${maxBytes} bytes allowed`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
};
