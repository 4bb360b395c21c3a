// A collector in its own process (forked by the live benches): POST /api/v1/ingest every
// `batchMs`, `rate` points per second in all, every point of a batch stamped with the batch's send
// time (`ts` = Date.now() just before the request). Nodes: `nodes` nodes spread over the ten
// districts (`bench-<district>-<i>`), each with as many metrics as the rate needs so that no series
// has two points in one batch (`net.latency_ms`, then `bench.m1`, `bench.m2`...).
//
// Messages: {cmd:'start', url, token, rate, seconds, batchMs, nodes, inFlight} → at the end
// {ev:'done', batches:[[sentAt, rttMs, accepted]...], skipped, errors, seconds}; {cmd:'stop'} ends early.
export const DISTRICTS = ['520102', '520103', '520111', '520112', '520113', '520115', '520121', '520122', '520123', '520181'];

let stopping = false;

async function run({ url, token, rate, seconds, batchMs = 100, nodes = 100, inFlight = 4, collector = 'bench' }) {
  const perBatch = Math.max(1, Math.round((rate * batchMs) / 1000));
  const metricsPerNode = Math.ceil(perBatch / nodes);
  const names = ['net.latency_ms', ...Array.from({ length: metricsPerNode - 1 }, (_, i) => `bench.m${i + 1}`)];
  // The body as pieces around three kinds of holes, filled per batch: the batch id, the send
  // time, and the latency values (which move from batch to batch, so every topic has news).
  const parts = [`{"collector":"${collector}","batch":"`, 'B', '","points":['];
  for (let i = 0; i < perBatch; i++) {
    const node = i % nodes;
    const metric = names[Math.floor(i / nodes)];
    const district = DISTRICTS[node % DISTRICTS.length];
    parts.push(`${i ? ',' : ''}{"metric":"${metric}","ts":`, 'T', ',"value":');
    // a plausible latency for net.latency_ms (5–11 ms: the nodes stay "up"), anything for the others
    if (metric === 'net.latency_ms') parts.push('V');
    else parts.push(String(i % 97));
    parts.push(`,"tags":{"district":"${district}","node":"bench-${district}-${node}"}}`);
  }
  parts.push(']}');
  const body = (b, ts) => {
    let s = '';
    let v = 0;
    for (const p of parts) s += p === 'B' ? `${collector}:${process.pid}:${b}` : p === 'T' ? ts : p === 'V' ? 5 + ((b + v++) % 7) : p;
    return s;
  };
  const batches = [];
  let skipped = 0;
  let errors = 0;
  let firstError;
  let pending = 0;
  const t0 = Date.now();
  const total = Math.round((seconds * 1000) / batchMs);
  for (let b = 0; b < total && !stopping; b++) {
    const due = t0 + b * batchMs;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (pending >= inFlight) {
      skipped++; // the server is behind: this batch is not sent (the achieved rate says so)
      continue;
    }
    const sentAt = Date.now();
    pending++;
    fetch(`${url}/api/v1/ingest`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body(b, sentAt) })
      .then(async (res) => {
        const r = await res.json();
        if (res.status !== 202 || r.rejected?.length) throw new Error(`${res.status} ${JSON.stringify(r).slice(0, 200)}`);
        batches.push([sentAt, Date.now() - sentAt, r.accepted]);
      })
      .catch((err) => {
        errors++;
        firstError ??= err.message;
      })
      .finally(() => pending--);
  }
  while (pending) await new Promise((r) => setTimeout(r, 5));
  return { batches, skipped, errors, firstError, seconds: (Date.now() - t0) / 1000, perBatch, metricsPerNode };
}

process.on('message', async (msg) => {
  if (msg.cmd === 'start') process.send({ ev: 'done', ...(await run(msg)) });
  if (msg.cmd === 'stop') stopping = true;
});
