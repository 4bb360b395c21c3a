import { AsyncLocalStorage } from 'node:async_hooks';

/** The request being handled, for whatever logs on its behalf (the logger adds `reqId` itself). */
export interface RequestContext {
  reqId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();
