import { describe, expect, it } from '@jest/globals';
import { dropThreshold, pendingBytes } from './slow-client.js';

describe('pendingBytes', () => {
  it.each([
    ['no connection', undefined, 0],
    ['nothing queued', { writeBuffer: [], transport: { socket: { bufferedAmount: 0 } } }, 0],
    ['engine packets (strings)', { writeBuffer: [{ data: 'abc' }, { data: '42/live,["frame",{}]' }] }, 3 + 20],
    ['binary packets', { writeBuffer: [{ data: new Uint8Array(10) }, { data: new ArrayBuffer(6) }] }, 16],
    ['packets without data (ping)', { writeBuffer: [{}, { data: undefined }] }, 0],
    ['the WebSocket send buffer', { transport: { socket: { bufferedAmount: 5_000_000 } } }, 5_000_000],
    ['both', { writeBuffer: [{ data: 'x'.repeat(100) }], transport: { socket: { bufferedAmount: 900 } } }, 1_000],
    ['polling transport (no bufferedAmount)', { writeBuffer: [{ data: 'xy' }], transport: {} }, 2],
    ['a strange bufferedAmount', { transport: { socket: { bufferedAmount: 'lots' } } }, 0],
  ])('%s', (_name, conn, bytes) => {
    expect(pendingBytes(conn)).toBe(bytes);
  });
});

describe('dropThreshold', () => {
  it('is the configured limit, but never less than a few of the largest frames: a topic that grew drops no reader', () => {
    expect(dropThreshold(8_388_608, 200_000)).toBe(8_388_608);
    expect(dropThreshold(65_536, 200_000)).toBe(800_000);
  });
});
