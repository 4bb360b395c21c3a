import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { MAX_BODY_BYTES } from '@zhuyun/protocol';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule, type AppDeps } from './app.module.js';
import { CLOCK, systemClock, type Clock } from './common/clock.js';
import { DomainErrorFilter } from './common/domain-error.filter.js';
import { createLogger, NestPinoLogger } from './common/logger.js';
import type { AppConfig } from './config/config.js';
import { claimOnce } from './db/claims.js';
import { DATABASE, type Db } from './db/database.js';
import { queryBodyParser, writeBodyParser } from './ingest/write.body.js';
import { MetricsService } from './ops/metrics.service.js';
import { requestIds } from './ops/request-id.js';
import { RedisIoAdapter } from './cluster/redis-io.adapter.js';
import { ShutdownService } from './cluster/shutdown.service.js';
import { AccountsService } from './security/accounts.service.js';
import { sameOriginForChanges } from './security/origin-policy.js';
import { HistoryService } from './simulation/history.service.js';
import { SimulationService } from './simulation/simulation.service.js';

/** Paths the server answers itself; everything else GET is the dashboard's (client-side routes). */
const SERVER_PATHS = /^\/(api|socket\.io|metrics|healthz|readyz|write|ping|query)(\/|$)/;

/** body-parser's failures, in the API's error shape, with what to do about them. */
function bodyErrorHandler(err: { type?: string; status?: number; message?: string }, _req: Request, res: Response, next: NextFunction) {
  if (!err?.type) return next(err);
  const messages: Record<string, [number, string, string]> = {
    'entity.too.large': [413, 'payload_too_large', `body larger than ${MAX_BODY_BYTES} bytes (after gzip): send smaller batches`],
    'entity.parse.failed': [400, 'validation_failed', `body is not valid JSON: ${err.message}`],
    'encoding.unsupported': [415, 'unsupported_encoding', 'Content-Encoding must be gzip, deflate or identity'],
    'charset.unsupported': [415, 'unsupported_charset', 'body must be UTF-8'],
    'request.aborted': [400, 'aborted', 'the request was aborted before its body arrived'],
  };
  const [status, code, message] = messages[err.type] ?? [err.status ?? 400, 'bad_request', err.message ?? 'bad request'];
  res.status(status).json({ error: { code, message } });
}

export interface CreateAppOptions {
  clock?: AppDeps['clock'];
  logger?: AppDeps['logger'];
}

/**
 * Builds the application (not listening). Tests call this with a temp data dir and listen on port 0.
 */
export async function createApp(config: AppConfig, opts: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const logger = opts.logger ?? createLogger(config.logLevel);
  const deps: AppDeps = { config, clock: opts.clock ?? systemClock, logger };
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(deps), {
    bodyParser: false,
    logger: new NestPinoLogger(logger),
    // A failure to start (a damaged tsdb.sqlite, say) rejects here, so that main prints it on
    // stderr, naming the file, and exits 1, instead of Nest logging it to stdout and exiting.
    abortOnError: false,
  });
  // First: every request gets an id (X-Request-Id) that its log lines carry.
  app.use(requestIds(logger, app.get(MetricsService)));
  // Graceful shutdown: requests in flight are counted; while draining, ingest answers 503.
  const shutdown = app.get(ShutdownService);
  app.use(shutdown.trackRequests);
  app.use(['/api/v1/ingest', '/write'], shutdown.refuseWhileDraining);
  if (config.cluster) {
    // Several instances: socket.io rooms and broadcasts over Redis (docs/SCALE.md).
    const adapter = new RedisIoAdapter(app, config.cluster.redisUrl, config.cluster.prefix, logger);
    await adapter.connect();
    app.useWebSocketAdapter(adapter);
  }
  app.use(helmet({ contentSecurityPolicy: { directives: CSP }, crossOriginEmbedderPolicy: false, hsts: false }));
  // Closed by default: the dashboard is served from the same origin. ZHUYUN_CORS_ORIGINS opens it.
  app.enableCors({ origin: config.corsOrigins.length ? config.corsOrigins : false, credentials: true });
  // Same-site is not same-origin (issue 13): a state-changing request a browser sends from another
  // origin (another port of this host included) is refused, body or not (security/origin-policy.ts).
  app.use(sameOriginForChanges(config.corsOrigins));
  // HSTS only where the browser came over https through a trusted proxy: a plain-http deployment
  // (the extranet default) must not pin browsers to an https that is not there.
  if (config.trustProxy !== undefined) app.use(strictTransportSecurity);
  // gzip for the dashboard's assets and API answers (the map and ECharts are most of the bytes).
  app.use(compression());
  // InfluxDB line protocol: text whatever the Content-Type, gzip allowed, InfluxDB-shaped errors.
  app.use('/write', ...writeBodyParser());
  app.use('/query', ...queryBodyParser());
  app.use('/api', express.json({ limit: MAX_BODY_BYTES, inflate: true }));
  app.use(bodyErrorHandler);
  app.useGlobalFilters(new DomainErrorFilter(logger));
  app.disable('x-powered-by');
  // Behind a reverse proxy (ZHUYUN_TRUST_PROXY): the client's address and https come from its
  // X-Forwarded-* headers, so the session cookie is Secure and audit and throttling see the client.
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy);

  const dir = config.dashboardDir;
  if (dir && existsSync(join(dir, 'index.html'))) {
    app.use(express.static(dir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml }));
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || SERVER_PATHS.test(req.path) || !req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(join(dir, 'index.html'));
    });
  } else {
    logger.warn({ dashboardDir: dir }, 'dashboard not built: run `npm run build` to serve it on /');
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' || req.path !== '/') return next();
      res.status(503).type('text/plain; charset=utf-8').send('筑云: the dashboard is not built. Run `npm run build`, then restart.\n');
    });
  }
  return app;
}

/**
 * The dashboard's content security policy: its own scripts only, styles it sets at run time, map
 * and chart images from data/blob URLs, the live socket on the same host. No frames, no plugins.
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  upgradeInsecureRequests: null,
};

/** One year; no includeSubDomains: other hosts of the extranet may still serve plain http. */
const HSTS = 'max-age=31536000';

function strictTransportSecurity(req: Request, res: Response, next: NextFunction) {
  if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
  next();
}

function noCacheForHtml(res: Response, path: string) {
  if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}

/**
 * Creates the app, listens, and starts the simulated fleet when configured. Returns the app and the
 * URL it answers on (the real port when config.port is 0).
 */
export async function startServer(config: AppConfig, opts: CreateAppOptions = {}): Promise<{ app: NestExpressApplication; url: string; demo?: { username: string; password: string } }> {
  const app = await createApp(config, opts);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://127.0.0.1:${port}`;
  let demo: { username: string; password: string } | undefined;
  if (config.simulate) {
    demo = await createDemoAccount(app.get(AccountsService), app.get<Db>(DATABASE), config);
    // The first start's past (ZHUYUN_SIMULATE_HISTORY), in the background up to now; the fleet's
    // points come after it.
    app.get(HistoryService).begin(app.get<Clock>(CLOCK).now());
    await app.get(SimulationService).start(url);
  }
  return { app, url, demo };
}

/**
 * Demo mode (ZHUYUN_SIMULATE=1): on the first start, when no account exists, an admin account
 * `demo` with a generated password, returned so that the caller prints it. Never a fixed password.
 */
async function createDemoAccount(accounts: AccountsService, db: Db, config: AppConfig): Promise<{ username: string; password: string } | undefined> {
  if ((await accounts.count()) > 0) return undefined;
  // Several instances starting together: one creates it (and prints it).
  if (!(await claimOnce(db, 'seed:demo-account', config.cluster?.instance ?? 'single', Date.now()))) return undefined;
  const { generatedPassword } = await accounts.addUser({ username: 'demo', role: 'admin' }, 'system');
  return { username: 'demo', password: generatedPassword! };
}
