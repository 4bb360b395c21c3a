import { afterEach, describe, expect, it } from '@jest/globals';
import { createI18n } from 'vue-i18n';
import { MESSAGES } from '../i18n/messages';
import { ApiError, detailOf, errorFromBody, liveRefusal, messageOf, setErrorWords } from './http';

describe('errorFromBody', () => {
  it("carries the server's code, message and details", () => {
    const e = errorFromBody(400, { error: { code: 'validation', message: 'user: role: Invalid option', details: [{ path: 'role' }] } });
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 400, code: 'validation', message: 'user: role: Invalid option', details: [{ path: 'role' }] });
  });
  it('falls back to the status line when the body is not the API error shape', () => {
    expect(errorFromBody(502, '<html>', 'Bad Gateway').message).toBe('HTTP 502 Bad Gateway');
    expect(errorFromBody(500, undefined).code).toBe('500');
  });
});

// Issue 15 item 4: no raw English server text reaches a zh-CN user; the server's words stay
// available (detailOf, and the English locale).
describe('messageOf with the catalogue', () => {
  const zh = createI18n({ legacy: false, locale: 'zh-CN', messages: MESSAGES });
  const en = createI18n({ legacy: false, locale: 'en', messages: MESSAGES });
  const words = (i: typeof zh) => ({ t: (k: string, p?: Record<string, unknown>) => i.global.t(k, p ?? {}), locale: () => i.global.locale.value });
  afterEach(() => setErrorWords(undefined));
  it.each([
    [401, '登录已过期，请重新登录'],
    [403, '无权查看此内容'],
    [404, '找不到所请求的内容'],
    // A conflict and an oversize body add the server's reason (the user must act on it).
    [409, '与当前数据冲突，请刷新后重试：a district user may not read collectors'],
    [413, '提交的内容过大：a district user may not read collectors'],
    [429, '请求过于频繁，请稍后重试'],
    [502, '服务器暂时出错（HTTP 502），请稍后重试'],
  ])('words HTTP %i in Chinese', (status, text) => {
    setErrorWords(words(zh));
    const e = errorFromBody(status, { error: { code: 'x', message: 'a district user may not read collectors' } });
    expect(messageOf(e)).toBe(text);
    expect(detailOf(e)).toBe('a district user may not read collectors');
  });
  it('words a network failure and a bare status line too', () => {
    setErrorWords(words(zh));
    expect(messageOf(new TypeError('Failed to fetch'))).toBe('无法连接服务器，请检查网络');
    expect(messageOf(new Error('HTTP 401'))).toBe('登录已过期，请重新登录');
    // Bad input says what is wrong and where (the standard: a clear error), Chinese first.
    expect(messageOf(errorFromBody(400, { error: { code: 'validation', message: 'comment: say why (at least 3 characters)' } }))).toBe('提交的内容有误：comment: say why (at least 3 characters)');
    expect(messageOf(new Error('HTTP 400'))).toBe('提交的内容有误');
    expect(messageOf(errorFromBody(409, { error: { code: 'conflict', message: 'alert a1 was acknowledged by ops1' } }))).toBe('与当前数据冲突，请刷新后重试：alert a1 was acknowledged by ops1');
  });
  it("words the live feed's refusal of a topic (a district user's other unit) too", () => {
    setErrorWords(words(zh));
    expect(messageOf(liveRefusal('a district user of 520181 may watch district:520181 and its nodes only, not district:520102'))).toBe('无权查看此内容');
    expect(messageOf(liveRefusal('sign in first'))).toBe('登录已过期，请重新登录');
    setErrorWords(words(en));
    expect(messageOf(liveRefusal('node x is not in district 520181'))).toBe('You may not view this: node x is not in district 520181');
  });
  it("keeps the server's own words in English", () => {
    setErrorWords(words(en));
    expect(messageOf(errorFromBody(403, { error: { code: 'forbidden', message: 'a district user may not read collectors' } }))).toBe('You may not view this: a district user may not read collectors');
    expect(messageOf(errorFromBody(401, undefined))).toBe('Your session has expired: sign in again');
  });
});
