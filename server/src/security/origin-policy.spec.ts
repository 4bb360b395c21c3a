import { describe, expect, it } from '@jest/globals';
import { canonicalOrigin, crossOriginProblem, handshakeOriginProblem } from './origin-policy.js';

const none = new Set<string>();

describe('crossOriginProblem', () => {
  it('lets the same origin and listed origins through, and no header at all (not a browser)', () => {
    expect(crossOriginProblem({ origin: 'http://zhuyun.gy:8080', self: 'http://zhuyun.gy:8080' }, none)).toBeUndefined();
    expect(crossOriginProblem({ origin: 'https://ZHUYUN.gy', self: 'https://zhuyun.gy:443' }, none)).toBeUndefined();
    expect(crossOriginProblem({ origin: 'https://ops.gy', self: 'https://zhuyun.gy' }, new Set([canonicalOrigin('https://ops.gy:443')]))).toBeUndefined();
    expect(crossOriginProblem({ self: 'http://zhuyun.gy' }, none)).toBeUndefined();
    expect(crossOriginProblem({ secFetchSite: 'same-origin', self: 'http://zhuyun.gy' }, none)).toBeUndefined();
    expect(crossOriginProblem({ secFetchSite: 'none', self: 'http://zhuyun.gy' }, none)).toBeUndefined();
  });

  it('refuses another port, another scheme, another host, a null origin, and same-site without an Origin', () => {
    expect(crossOriginProblem({ origin: 'http://zhuyun.gy:8081', self: 'http://zhuyun.gy:8080' }, none)).toMatch(/origin http:\/\/zhuyun.gy:8081 may not change anything/);
    expect(crossOriginProblem({ origin: 'http://zhuyun.gy', self: 'https://zhuyun.gy' }, none)).toBeDefined();
    expect(crossOriginProblem({ origin: 'http://evil.example', self: 'http://zhuyun.gy' }, none)).toBeDefined();
    expect(crossOriginProblem({ origin: 'null', self: 'http://zhuyun.gy' }, none)).toBeDefined();
    expect(crossOriginProblem({ secFetchSite: 'same-site', self: 'http://zhuyun.gy' }, none)).toMatch(/same-site request without an Origin/);
    expect(crossOriginProblem({ secFetchSite: 'cross-site', self: 'http://zhuyun.gy' }, none)).toBeDefined();
  });
});

describe('handshakeOriginProblem', () => {
  it('takes the forwarded scheme and host only when the proxy is trusted', () => {
    const h = { headers: { host: 'backend:8080', origin: 'https://zhuyun.gy', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'zhuyun.gy' }, secure: false };
    expect(handshakeOriginProblem(h, [], true)).toBeUndefined();
    expect(handshakeOriginProblem(h, [], false)).toBeDefined();
    expect(handshakeOriginProblem({ headers: { host: '127.0.0.1:9000' }, secure: false }, [], false)).toBeUndefined();
  });
});
