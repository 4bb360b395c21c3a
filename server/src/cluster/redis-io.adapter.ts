import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server, ServerOptions } from 'socket.io';
import type { Logger } from '../common/logger.js';
import { connectRedis, type RedisClient } from './cluster.service.js';

/**
 * socket.io over Redis (`@socket.io/redis-adapter`): rooms and broadcasts span the instances.
 * Live frames themselves are computed by each instance from its shared live state and sent to its
 * own sockets (`local`); the adapter carries what must reach sockets on other instances.
 */
export class RedisIoAdapter extends IoAdapter {
  private clients: RedisClient[] = [];
  private adapter?: ReturnType<typeof createAdapter>;

  constructor(
    app: INestApplicationContext,
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly log: Logger,
  ) {
    super(app);
  }

  async connect(): Promise<void> {
    const pub = await connectRedis(this.redisUrl, this.log, 'socket.io');
    const sub = pub.duplicate();
    sub.on('error', () => undefined);
    await sub.connect();
    this.clients = [pub, sub];
    this.adapter = createAdapter(pub, sub, { key: `${this.prefix}:socket.io` });
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, options) as Server;
    if (this.adapter) server.adapter(this.adapter);
    return server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    for (const c of this.clients.splice(0)) {
      // QUIT when Redis answers; else drop the connection (never hold the shutdown up).
      await Promise.race([c.quit(), new Promise((_, reject) => setTimeout(reject, 2_000).unref())]).catch(() => {
        try {
          c.destroy();
        } catch {
          // already closed
        }
      });
    }
  }
}
