import { z } from 'zod';
import { SEVERITIES } from '../alert-rules.js';
import { noticeLines, noticeTitle, type AlertNotice } from './messages.js';
import { dingtalkSignedUrl, feishuSign } from './signing.js';

/** Notification channels (docs/ALERTS.md "Notifications"). Pure: payloads and answers. */
export const CHANNEL_KINDS = ['webhook', 'dingtalk', 'wecom', 'feishu'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export const CHANNEL_EVENTS = ['firing', 'resolved', 'escalation'] as const;

export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  url: string;
  /** Signing secret (DingTalk 加签, Feishu 签名校验); never served back by the API. */
  secret: string | null;
  /** Which notices it takes; `escalation` makes it an escalation channel. */
  events: Array<(typeof CHANNEL_EVENTS)[number]>;
  /** Empty: all. */
  severities: string[];
  /** District or zone codes; empty: all. */
  districts: string[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export const ChannelInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(CHANNEL_KINDS),
    url: z.url({ protocol: /^https?$/, message: 'url must be an http(s) URL' }).max(2000),
    secret: z.string().min(1).max(500).nullable().default(null),
    events: z.array(z.enum(CHANNEL_EVENTS)).min(1).default(['firing', 'resolved']),
    severities: z.array(z.enum(SEVERITIES)).default([]),
    districts: z.array(z.string().min(1).max(64)).default([]),
    enabled: z.boolean().default(true),
  })
  .strict();
export type ChannelInput = z.infer<typeof ChannelInputSchema>;

/**
 * A robot URL without its credentials, for those who may not hold them: scheme, host and port
 * stay (which service it is), the path and every query value become `***` (DingTalk `?access_token=`, WeCom `?key=`, Feishu `/hook/<id>`), user and password
 * go. `https://oapi.dingtalk.com/robot/send?access_token=ab12` → `https://oapi.dingtalk.com/***?access_token=***`.
 * A URL that does not parse becomes `***`.
 */
export function maskUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '***';
  }
  const path = u.pathname === '/' || u.pathname === '' ? '' : '/***';
  const keys = [...new Set(u.searchParams.keys())];
  const query = keys.length ? `?${keys.map((k) => `${encodeURIComponent(k)}=***`).join('&')}` : u.search ? '?***' : '';
  return `${u.protocol}//${u.host}${path}${query}${u.hash ? '#***' : ''}`;
}

/**
 * A text (a delivery's error: a robot's answer or a network error) with every http(s) URL in it
 * masked by `maskUrl`, for those who may not read robot credentials: a robot or a proxy that echoes
 * the URL it was called with must not hand the credential on.
 */
export function maskUrlsIn(text: string): string {
  return text.replace(/https?:\/\/[^\s"'<>]+/gi, (u) => maskUrl(u));
}

/** Whether a channel takes this notice. */
export function channelWants(c: Channel, n: Pick<AlertNotice, 'event' | 'severity' | 'district' | 'unit'>): boolean {
  if (!c.enabled || !c.events.includes(n.event)) return false;
  if (c.severities.length && !c.severities.includes(n.severity)) return false;
  if (c.districts.length && !c.districts.includes(n.district) && !c.districts.includes(n.unit)) return false;
  return true;
}

export interface HttpRequest {
  url: string;
  body: unknown;
}

const FEISHU_TEMPLATE: Record<string, string> = { firing: 'red', escalation: 'carmine', resolved: 'green' };

/** The HTTP request a channel's robot takes for a notice, signed at `now` (epoch ms) when it has a secret. */
export function buildRequest(c: Pick<Channel, 'kind' | 'url' | 'secret'>, n: AlertNotice, now: number): HttpRequest {
  const title = noticeTitle(n);
  const lines = noticeLines(n);
  switch (c.kind) {
    case 'webhook':
      return { url: c.url, body: { version: 1, event: n.event, title, text: lines.join('\n'), alert: n } };
    case 'dingtalk':
      // Markdown message; title is what the chat list shows.
      return {
        url: c.secret ? dingtalkSignedUrl(c.url, c.secret, now) : c.url,
        body: { msgtype: 'markdown', markdown: { title, text: lines.join('\n\n') } },
      };
    case 'wecom': {
      // WeCom group robot markdown (4096 bytes at most); the colour tags are its own.
      const colour = n.event === 'resolved' ? 'info' : 'warning';
      const [head, ...rest] = lines;
      return { url: c.url, body: { msgtype: 'markdown', markdown: { content: [`<font color="${colour}">${head}</font>`, ...rest].join('\n') } } };
    }
    case 'feishu': {
      const ts = Math.floor(now / 1000);
      const signed = c.secret ? { timestamp: String(ts), sign: feishuSign(c.secret, ts) } : {};
      return {
        url: c.url,
        body: {
          ...signed,
          msg_type: 'interactive',
          card: {
            config: { wide_screen_mode: true },
            header: { title: { tag: 'plain_text', content: title }, template: FEISHU_TEMPLATE[n.event] },
            elements: [{ tag: 'div', text: { tag: 'lark_md', content: lines.slice(1).join('\n') } }],
          },
        },
      };
    }
  }
}

/**
 * Whether the robot took the message. The robots answer HTTP 200 with an error code in the body:
 * DingTalk and WeCom `errcode` (0 = ok), Feishu `code` (older bots `StatusCode`). Returns the
 * problem, or null when delivered.
 */
export function answerProblem(kind: ChannelKind, status: number, body: string): string | null {
  if (status < 200 || status >= 300) return `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (kind === 'webhook') return null;
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return `answer is not JSON: ${body.slice(0, 200)}`;
  }
  const code = kind === 'feishu' ? (j.code ?? j.StatusCode) : j.errcode;
  if (code === 0) return null;
  const msg = kind === 'feishu' ? (j.msg ?? j.StatusMessage) : j.errmsg;
  return `robot error ${String(code)}: ${String(msg ?? '')}`.slice(0, 300);
}
