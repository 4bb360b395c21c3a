import { afterEach, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerProblem, buildRequest, channelWants, maskUrl, maskUrlsIn, type Channel } from './channels.js';
import { beijingTime, durationZh, noticeLines, noticeTitle, placeZh, type AlertNotice } from './messages.js';
import { dingtalkSign, dingtalkSignedUrl, feishuSign } from './signing.js';
import { backoffMs, deliver, type DeliveryAttempt } from './webhook.sender.js';

const NOTICE: AlertNotice = {
  event: 'firing', alertId: 'al-1', ruleId: 'default-net-latency_ms-critical', ruleName: 'net.latency_ms critical',
  metric: 'net.latency_ms', severity: 'P2', comparison: '>=', threshold: 50, value: 62.345,
  district: '520103', unit: '520103', node: 'yy-core-1',
  activeAt: 1_764_201_300_000, firedAt: 1_764_201_600_000, resolvedAt: null, at: 1_764_201_600_000, suppressed: null,
};

function channel(over: Partial<Channel>): Channel {
  return {
    id: 'c1', name: 'ops', kind: 'webhook', url: 'http://127.0.0.1:1/hook', secret: null, events: ['firing', 'resolved'],
    severities: [], districts: [], enabled: true, createdAt: 0, updatedAt: 0, ...over,
  };
}

describe('signing (vectors computed with openssl dgst -sha256 -hmac and Python hmac)', () => {
  it('DingTalk: base64(HmacSHA256(secret, timestamp + "\\n" + secret))', () => {
    expect(dingtalkSign('SEC0123456789abcdef', 1_764_201_600_000)).toBe('0x+sh84FEXQ35EdWhbwx3tW4qPy52NY0uQp8PW7+Y4w=');
  });

  it('DingTalk: timestamp and URL-encoded sign go on the URL beside access_token', () => {
    const url = dingtalkSignedUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'SEC0123456789abcdef', 1_764_201_600_000);
    expect(url).toBe('https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1764201600000&sign=0x%2Bsh84FEXQ35EdWhbwx3tW4qPy52NY0uQp8PW7%2BY4w%3D');
  });

  it('Feishu: base64(HmacSHA256(key = timestamp + "\\n" + secret, message = ""))', () => {
    expect(feishuSign('demo-secret', 1_764_201_600)).toBe('JbgZEOXwLxmciP/M3Vqy56PpvCH7gk02yFG9VF/btIU=');
  });
});

describe('messages', () => {
  it('says in Chinese what fired where', () => {
    expect(noticeTitle(NOTICE)).toBe('【P2 告警】云岩区 yy-core-1 网络时延');
    expect(noticeLines(NOTICE)).toEqual([
      '**【P2 告警】云岩区 yy-core-1 网络时延**',
      '- 级别：P2',
      '- 区域：云岩区',
      '- 节点：yy-core-1',
      '- 规则：网络时延超过严重阈值',
      '- 指标：网络时延（net.latency_ms）当前 62.35 ms，阈值 ≥ 50 ms',
      '- 开始：2025-11-27 08:00:00',
      '- 告警编号：al-1',
    ]);
  });

  it('names built-in rules and registered nodes in Chinese (issue 15); a rule ops made keeps its name', () => {
    const named = { ...NOTICE, ruleId: 'default-net-up-down', ruleName: 'node down', metric: 'net.up', node: 't520121002', nodeName: '云开街道', suppressed: 'behind:520121-core-1', suppressedName: '开阳县汇聚节点', event: 'resolved' as const, resolvedAt: NOTICE.firedAt! + 60_000 };
    const lines = noticeLines(named);
    expect(lines).toContain('- 规则：节点中断');
    expect(lines).toContain('- 节点：云开街道（t520121002）');
    expect(lines).toContain('- 上级节点 开阳县汇聚节点（520121-core-1） 故障期间的告警');
    expect(noticeTitle(named)).toBe('【P2 恢复】云岩区 云开街道 网络连通');
    expect(noticeLines({ ...NOTICE, ruleId: 'rule-1', ruleName: '乌当丢包' })).toContain('- 规则：乌当丢包');
    expect(lines.join('\n')).not.toMatch(/node down/);
  });

  it('a resolution says how long it lasted; a zone names its host district; a lost collector reads as such', () => {
    const r = noticeLines({ ...NOTICE, event: 'resolved', resolvedAt: NOTICE.firedAt! + 754_000 });
    expect(r).toContain('- 恢复：2025-11-27 08:12:34，持续 12 分 34 秒');
    expect(placeZh('520113', 'gy-hitech')).toBe('高新区（白云区）');
    expect(noticeTitle({ ...NOTICE, metric: 'collector.silent_s', node: 'wd-edge-01', district: '520112', unit: '520112', severity: 'P2' })).toBe('【P2 告警】乌当区 采集器 wd-edge-01 失联');
    expect(beijingTime(Date.UTC(2026, 0, 1, 16, 0, 0))).toBe('2026-01-02 00:00:00');
    expect(durationZh(2 * 3_600_000 + 5 * 60_000)).toBe('2 小时 5 分');
  });
});

describe('channel payloads', () => {
  const now = 1_764_201_600_000;
  it('DingTalk: markdown with title and text, signed URL', () => {
    const r = buildRequest(channel({ kind: 'dingtalk', url: 'https://oapi.dingtalk.com/robot/send?access_token=abc', secret: 'SEC0123456789abcdef' }), NOTICE, now);
    expect(r.url).toContain('&timestamp=1764201600000&sign=');
    expect(r.body).toMatchObject({ msgtype: 'markdown', markdown: { title: '【P2 告警】云岩区 yy-core-1 网络时延' } });
  });

  it('WeCom: markdown content with a colour tag', () => {
    const r = buildRequest(channel({ kind: 'wecom' }), NOTICE, now);
    const body = r.body as { msgtype: string; markdown: { content: string } };
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content.startsWith('<font color="warning">**【P2 告警】')).toBe(true);
  });

  it('Feishu: interactive card, timestamp in seconds as a string and its sign in the body', () => {
    const r = buildRequest(channel({ kind: 'feishu', secret: 'demo-secret' }), NOTICE, now);
    expect(r.body).toMatchObject({ timestamp: '1764201600', sign: 'JbgZEOXwLxmciP/M3Vqy56PpvCH7gk02yFG9VF/btIU=', msg_type: 'interactive' });
    expect(JSON.stringify(r.body)).toContain('"template":"red"');
  });

  it.each([
    ['webhook', 200, '', null],
    ['webhook', 503, 'busy', 'HTTP 503: busy'],
    ['dingtalk', 200, '{"errcode":0,"errmsg":"ok"}', null],
    ['dingtalk', 200, '{"errcode":310000,"errmsg":"sign not match"}', 'robot error 310000: sign not match'],
    ['wecom', 200, '{"errcode":93000,"errmsg":"invalid webhook url"}', 'robot error 93000: invalid webhook url'],
    ['feishu', 200, '{"code":0,"msg":"success"}', null],
    ['feishu', 200, '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}', 'robot error 19021: sign match fail or timestamp is not within one hour from current time'],
    ['feishu', 200, 'oops', 'answer is not JSON: oops'],
  ] as const)('%s answer %i %s → %s', (kind, status, body, expected) => {
    expect(answerProblem(kind, status, body)).toBe(expected);
  });

  it('channel filters: events, severities, districts', () => {
    expect(channelWants(channel({}), NOTICE)).toBe(true);
    expect(channelWants(channel({ events: ['escalation'] }), NOTICE)).toBe(false);
    expect(channelWants(channel({ severities: ['P1'] }), NOTICE)).toBe(false);
    expect(channelWants(channel({ districts: ['520102'] }), NOTICE)).toBe(false);
    expect(channelWants(channel({ districts: ['520103'] }), NOTICE)).toBe(true);
    expect(channelWants(channel({ enabled: false }), NOTICE)).toBe(false);
  });
});

/** A local robot: checks what a real one checks, answers from a script of statuses. */
function robot(check: (req: IncomingMessage, body: string) => { status: number; body: string }) {
  const seen: Array<{ url: string; body: string; at: number }> = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body, at: Date.now() });
      const r = check(req, body);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body);
    });
  });
  return {
    seen,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('deliver, against local HTTP servers', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());
  const policy = { maxAttempts: 5, baseMs: 40, maxMs: 1000, timeoutMs: 2000 };

  it('a webhook that fails twice then succeeds: three attempts recorded, with backoff between them', async () => {
    let n = 0;
    const r = robot(() => (++n <= 2 ? { status: 502, body: 'bad gateway' } : { status: 200, body: '{}' }));
    close = r.close;
    const base = await r.listen();
    const attempts: DeliveryAttempt[] = [];
    const last = await deliver(channel({ url: `${base}/hook` }), NOTICE, { now: Date.now, record: async (a) => void attempts.push(a), policy });
    expect(last.status).toBe('ok');
    expect(attempts.map((a) => [a.attempt, a.status, a.httpStatus, a.error])).toEqual([
      [1, 'retrying', 502, 'HTTP 502: bad gateway'],
      [2, 'retrying', 502, 'HTTP 502: bad gateway'],
      [3, 'ok', 200, null],
    ]);
    expect(r.seen[1].at - r.seen[0].at).toBeGreaterThanOrEqual(35);
    expect(r.seen[2].at - r.seen[1].at).toBeGreaterThanOrEqual(75);
    const body = JSON.parse(r.seen[2].body);
    expect(body).toMatchObject({ version: 1, event: 'firing', alert: { alertId: 'al-1', node: 'yy-core-1' } });
  });

  it('DingTalk: the robot recomputes the signature from the URL and takes the message', async () => {
    const secret = 'SECabc123';
    const r = robot((req, body) => {
      const u = new URL(req.url ?? '', 'http://x');
      const ts = u.searchParams.get('timestamp') ?? '';
      const expected = createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64');
      const okTime = Math.abs(Date.now() - Number(ts)) < 3_600_000;
      const ok = okTime && u.searchParams.get('sign') === expected && u.searchParams.get('access_token') === 'tok' && JSON.parse(body).msgtype === 'markdown';
      return { status: 200, body: JSON.stringify(ok ? { errcode: 0, errmsg: 'ok' } : { errcode: 310000, errmsg: 'sign not match' }) };
    });
    close = r.close;
    const base = await r.listen();
    const attempts: DeliveryAttempt[] = [];
    const good = await deliver(channel({ kind: 'dingtalk', url: `${base}/robot/send?access_token=tok`, secret }), NOTICE, { now: Date.now, record: async (a) => void attempts.push(a), policy });
    expect(good).toMatchObject({ status: 'ok', attempt: 1, httpStatus: 200 });
    const bad = await deliver(channel({ kind: 'dingtalk', url: `${base}/robot/send?access_token=tok`, secret: 'wrong' }), NOTICE, { now: Date.now, record: async () => undefined, policy: { ...policy, maxAttempts: 2 } });
    expect(bad).toMatchObject({ status: 'failed', attempt: 2, error: 'robot error 310000: sign not match' });
  });

  it('Feishu: the bot recomputes the signature from the body', async () => {
    const secret = 'feishu-secret';
    const r = robot((_req, body) => {
      const b = JSON.parse(body);
      const expected = createHmac('sha256', `${b.timestamp}\n${secret}`).update('').digest('base64');
      const ok = b.sign === expected && Math.abs(Date.now() / 1000 - Number(b.timestamp)) < 3600 && b.msg_type === 'interactive';
      return { status: 200, body: JSON.stringify(ok ? { code: 0, msg: 'success', data: {} } : { code: 19021, msg: 'sign match fail' }) };
    });
    close = r.close;
    const base = await r.listen();
    const last = await deliver(channel({ kind: 'feishu', url: `${base}/open-apis/bot/v2/hook/x`, secret }), NOTICE, { now: Date.now, record: async () => undefined, policy });
    expect(last).toMatchObject({ status: 'ok', attempt: 1 });
  });

  it('a 4xx refusal is not retried; an unreachable target is, and ends failed', async () => {
    const r = robot(() => ({ status: 404, body: 'no such hook' }));
    close = r.close;
    const base = await r.listen();
    const a = await deliver(channel({ url: `${base}/x` }), NOTICE, { now: Date.now, record: async () => undefined, policy });
    expect(a).toMatchObject({ status: 'failed', attempt: 1, httpStatus: 404 });
    const attempts: DeliveryAttempt[] = [];
    const b = await deliver(channel({ url: 'http://127.0.0.1:1/x' }), NOTICE, { now: Date.now, record: async (x) => void attempts.push(x), policy: { ...policy, maxAttempts: 3, baseMs: 1 } });
    expect(b).toMatchObject({ status: 'failed', attempt: 3, httpStatus: null });
    expect(attempts.map((x) => x.status)).toEqual(['retrying', 'retrying', 'failed']);
    expect(b.error).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it('backoff doubles up to its cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs({ maxAttempts: 9, baseMs: 2000, maxMs: 120_000, timeoutMs: 1 }, n))).toEqual([
      2000, 4000, 8000, 16000, 32000, 64000, 120000, 120000,
    ]);
  });
});

describe('maskUrl (issue 13: robot credentials stay with admin and ops)', () => {
  it('keeps scheme, host and port and hides every path segment and query value', () => {
    expect(maskUrl('https://oapi.dingtalk.com/robot/send?access_token=ab12cd34')).toBe('https://oapi.dingtalk.com/***?access_token=***');
    expect(maskUrl('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx')).toBe('https://qyapi.weixin.qq.com/***?key=***');
    expect(maskUrl('https://open.feishu.cn/open-apis/bot/v2/hook/6a2e-secret-id')).toBe('https://open.feishu.cn/***');
    expect(maskUrl('http://user:pw@10.1.2.3:8080/hook/abc?x=1&x=2#frag')).toBe('http://10.1.2.3:8080/***?x=***#***');
    expect(maskUrl('http://10.1.2.3/')).toBe('http://10.1.2.3');
    expect(maskUrl('not a url')).toBe('***');
  });

  it('masks every URL inside a text (a robot answer that echoes its URL)', () => {
    expect(maskUrlsIn('HTTP 400: {"error":"bad call to https://oapi.dingtalk.com/robot/send?access_token=ab12cd34"}')).toBe('HTTP 400: {"error":"bad call to https://oapi.dingtalk.com/***?access_token=***"}');
    expect(maskUrlsIn('fetch failed (ECONNREFUSED)')).toBe('fetch failed (ECONNREFUSED)');
  });
});
