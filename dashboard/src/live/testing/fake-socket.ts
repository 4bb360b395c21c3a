import type { LiveSocket } from '../live-connection';

/** A socket.io client stand-in: records emits, lets the test play the server. */
export class FakeSocket implements LiveSocket {
  connected = false;
  emitted: Array<[string, unknown]> = [];
  private handlers = new Map<string, Array<(...a: any[]) => void>>();
  on(event: string, fn: (...a: any[]) => void) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  emit(event: string, arg: unknown) {
    this.emitted.push([event, arg]);
    return this;
  }
  serverSends(event: string, arg?: unknown) {
    for (const fn of this.handlers.get(event) ?? []) fn(arg);
  }
  connect() {
    this.connected = true;
    this.serverSends('connect');
  }
  drop() {
    this.connected = false;
    this.serverSends('disconnect');
  }
}
