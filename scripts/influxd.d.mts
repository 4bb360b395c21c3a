/** Debian's influxd (package `influxdb`, 1.6.x); INFLUXD_PATH points elsewhere. */
export declare const INFLUXD: string;

export interface Influxd {
  /** `http://127.0.0.1:<port>`, no database. */
  url: string;
  /** Stops it (SIGTERM, then SIGKILL after 10 s); data stays for `start()`. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves when `/ping` answers 204. */
  start(): Promise<void>;
  /** kill -9; data stays. */
  kill(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/**
 * A real influxd: free ports on 127.0.0.1, a temp dir with meta/data/wal and a generated config.
 * Resolves when `/ping` answers 204.
 */
export declare function startInfluxd(): Promise<Influxd>;
