// A load process of socket.io clients on /live, for the fan-out, memory and soak benches (forked by
// bench/lib/measure.mjs `startLoad`). Each client is a bare WebSocket speaking engine.io 4 /
// socket.io 5 by hand (the `ws` package socket.io itself uses): the same bytes a browser's
// socket.io-client exchanges, but a frame is only read as far as its head (`topic`, `seq`, `ts`),
// so that 2,000 clients cost this process little and the server is what is measured.
//
// Messages from the parent (IPC): {cmd:'start', url, token, clients, topics, offset}
// → {ev:'ready', connected, failed}; {cmd:'reset'} starts a new window; {cmd:'report'} →
// {ev:'report', ...window figures, per-client totals}; {cmd:'stop'} closes everything and exits.
import WebSocket from 'ws';

const HEAD = /^42\/live,\["(frame|snapshot)",\{"topic":"([^"]+)","seq":(\d+),"ts":(\d+)/;
const MAX_MS = 60_000;

/** Lag histogram, 1 ms buckets up to a minute (the last bucket holds everything above). */
let hist = new Uint32Array(MAX_MS + 1);
let windowFrames = 0;
let windowBytes = 0;
/** Frame bytes per topic in the window (snapshots not counted: steady state). */
let windowBytesByTopic = {};
let windowStart = Date.now();
const clients = [];

function record(ms) {
  hist[Math.max(0, Math.min(MAX_MS, Math.round(ms)))]++;
}

function connect(url, token, topics) {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { skipUTF8Validation: true, perMessageDeflate: false });
    const c = { ws, frames: 0, snapshots: 0, gaps: 0, lost: 0, seq: new Map(), closed: false, error: undefined, framesAtReset: 0 };
    let settled = false;
    const done = (ok) => {
      if (!settled) (settled = true), resolve({ c, ok });
    };
    ws.on('message', (buf) => {
      const head = buf.toString('latin1', 0, Math.min(buf.length, 200));
      if (head === '2') return ws.send('3'); // engine.io ping → pong
      if (head[0] === '0') return ws.send(`40/live,${JSON.stringify({ token })}`);
      if (head.startsWith('40/live,')) return ws.send(`42/live,1${JSON.stringify(['subscribe', topics])}`);
      if (head.startsWith('44/live,')) return (c.error = head), done(false);
      if (head.startsWith('43/live,1')) return done(true);
      const m = HEAD.exec(head);
      if (!m) return;
      const seq = Number(m[3]);
      if (m[1] === 'snapshot') {
        c.snapshots++;
        c.seq.set(m[2], seq);
        return;
      }
      const now = Date.now();
      record(now - Number(m[4]));
      windowFrames++;
      windowBytes += buf.length;
      windowBytesByTopic[m[2]] = (windowBytesByTopic[m[2]] ?? 0) + buf.length;
      c.frames++;
      const last = c.seq.get(m[2]);
      if (last !== undefined && seq !== last + 1) {
        c.gaps++;
        c.lost += Math.max(0, seq - last - 1);
      }
      c.seq.set(m[2], seq);
    });
    ws.on('error', (err) => ((c.error ??= err.message), done(false)));
    ws.on('close', () => ((c.closed = true), done(false)));
  });
}

function quantile(h, total, q) {
  const want = Math.ceil(total * q);
  let n = 0;
  for (let i = 0; i < h.length; i++) if ((n += h[i]) >= want && want > 0) return i;
  return null;
}

process.on('message', async (msg) => {
  if (msg.cmd === 'start') {
    let failed = 0;
    const firstError = [];
    // 25 handshakes in flight: the server checks each socket's token.
    for (let i = 0; i < msg.clients; i += 25) {
      const batch = await Promise.all(Array.from({ length: Math.min(25, msg.clients - i) }, () => connect(msg.url, msg.token, msg.topics)));
      for (const { c, ok } of batch) {
        clients.push(c);
        if (!ok) failed++, firstError.length < 3 && firstError.push(c.error ?? 'closed');
      }
    }
    process.send({ ev: 'ready', connected: clients.length - failed, failed, errors: firstError });
  } else if (msg.cmd === 'reset') {
    hist = new Uint32Array(MAX_MS + 1);
    windowFrames = 0;
    windowBytes = 0;
    windowBytesByTopic = {};
    windowStart = Date.now();
    for (const c of clients) (c.framesAtReset = c.frames), (c.gapsAtReset = c.gaps), (c.lostAtReset = c.lost);
  } else if (msg.cmd === 'report') {
    const total = windowFrames;
    // Sparse histogram for the parent to merge: [ms, count] pairs.
    const sparse = [];
    for (let i = 0; i < hist.length; i++) if (hist[i]) sparse.push([i, hist[i]]);
    const perClient = clients.map((c) => c.frames - c.framesAtReset);
    process.send({
      ev: 'report',
      seconds: (Date.now() - windowStart) / 1000,
      frames: total,
      bytes: windowBytes,
      bytesByTopic: windowBytesByTopic,
      p50: quantile(hist, total, 0.5),
      p99: quantile(hist, total, 0.99),
      hist: sparse,
      clients: clients.length,
      open: clients.filter((c) => !c.closed).length,
      minFrames: perClient.length ? Math.min(...perClient) : 0,
      withoutFrames: perClient.filter((n) => n === 0).length,
      gaps: clients.reduce((n, c) => n + c.gaps - (c.gapsAtReset ?? 0), 0),
      lost: clients.reduce((n, c) => n + c.lost - (c.lostAtReset ?? 0), 0),
      totalGaps: clients.reduce((n, c) => n + c.gaps, 0),
      totalLost: clients.reduce((n, c) => n + c.lost, 0),
      snapshots: clients.reduce((n, c) => n + c.snapshots, 0),
    });
  } else if (msg.cmd === 'stop') {
    for (const c of clients) c.ws.terminate();
    process.exit(0);
  }
});
