// The part of net-snmp 3.x (CommonJS, no types of its own) that snmp.session.ts uses. Written here
// rather than taken from @types/net-snmp, which drags a second, newer @types/node into the tree.
declare module 'net-snmp' {
  namespace snmp {
    interface Varbind {
      oid: string;
      /** An ObjectType code: 2 Integer, 4 OctetString, 65 Counter32, 66 Gauge32, 67 TimeTicks, 70 Counter64, 128-130 errors. */
      type: number;
      /** Counter64 and OctetString come as Buffers; integer types as numbers. */
      value: unknown;
    }

    interface SessionOptions {
      port?: number;
      retries?: number;
      timeout?: number;
      backoff?: number;
      transport?: 'udp4' | 'udp6';
      version?: number;
      idBitsSize?: 16 | 32;
      context?: string;
    }

    interface User {
      name: string;
      level: number;
      authProtocol?: number;
      authKey?: string;
      privProtocol?: number;
      privKey?: string;
    }

    interface Session {
      get(oids: string[], callback: (error: Error | null, varbinds?: Varbind[]) => void): Session;
      getNext(oids: string[], callback: (error: Error | null, varbinds?: Varbind[]) => void): Session;
      getBulk(
        oids: string[],
        nonRepeaters: number,
        maxRepetitions: number,
        callback: (error: Error | null, varbinds?: Array<Varbind | Varbind[]>) => void,
      ): Session;
      /** Fails every request still waiting with `error`. */
      cancelRequests(error: Error): void;
      close(): Session;
      on(event: 'error', listener: (error: Error) => void): Session;
      on(event: 'close', listener: () => void): Session;
    }
  }

  const snmp: {
    createSession(target: string, community: string, options?: snmp.SessionOptions): snmp.Session;
    createV3Session(target: string, user: snmp.User, options?: snmp.SessionOptions): snmp.Session;
    isVarbindError(varbind: snmp.Varbind): boolean;
    varbindError(varbind: snmp.Varbind): string;
    Version1: number;
    Version2c: number;
    Version3: number;
    ObjectType: Record<string, number> & Record<number, string>;
    SecurityLevel: { noAuthNoPriv: number; authNoPriv: number; authPriv: number };
    AuthProtocols: { md5: number; sha: number; sha224: number; sha256: number; sha384: number; sha512: number };
    PrivProtocols: { des: number; aes: number; aes256b: number; aes256r: number };
    RequestTimedOutError: new (message: string) => Error;
  };
  export = snmp;
}
