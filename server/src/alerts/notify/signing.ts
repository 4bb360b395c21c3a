import { createHmac } from 'node:crypto';

/**
 * Robot webhook signatures. Pure: the timestamp comes in.
 *
 * DingTalk (钉钉自定义机器人, "加签"): `sign = base64(HmacSHA256(key = secret, message =
 * timestamp + "\n" + secret))`, timestamp in ms; both go on the webhook URL as query parameters
 * `timestamp` and `sign` (URL-encoded). The robot refuses a timestamp more than an hour off.
 */
export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64');
}

/** The DingTalk webhook URL with `timestamp` and `sign` added (the URL keeps its access_token). */
export function dingtalkSignedUrl(url: string, secret: string, timestampMs: number): string {
  const u = new URL(url);
  u.searchParams.set('timestamp', String(timestampMs));
  u.searchParams.set('sign', dingtalkSign(secret, timestampMs));
  return u.toString();
}

/**
 * Feishu / Lark custom bot (自定义机器人, "签名校验"): `sign = base64(HmacSHA256(key = timestamp +
 * "\n" + secret, message = ""))`, timestamp in seconds; both go in the JSON body as `timestamp`
 * (a string) and `sign`. The bot refuses a timestamp more than an hour off.
 */
export function feishuSign(secret: string, timestampS: number): string {
  return createHmac('sha256', `${timestampS}\n${secret}`).update('').digest('base64');
}
