import { describe, expect, it } from '@jest/globals';
import { ApiError, errorFromBody } from './http';

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
