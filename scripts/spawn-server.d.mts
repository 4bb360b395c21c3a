import type { ChildProcess } from 'node:child_process';

/**
 * Starts the built server (`node server/dist/main.js`) with `env` on top of this process's
 * environment (PORT=0, 127.0.0.1, no simulation unless asked); resolves with the URL it listens on.
 */
export declare function spawnServer(env?: Record<string, string>, nodeArgs?: string[]): Promise<{ url: string; child: ChildProcess; output: () => string }>;

/** SIGKILL, resolved once the process is gone. */
export declare function killHard(child: ChildProcess): Promise<void>;

/** An admin session token on a spawned server (a new admin made with the admin CLI, signed in). */
export declare function adminToken(url: string, env?: Record<string, string>): Promise<string>;
