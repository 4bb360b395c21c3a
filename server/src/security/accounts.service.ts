import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { isUnitCode } from '@zhuyun/protocol';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { ConflictError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import { parseInput } from '../common/validate.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { DATABASE, type Db } from '../db/database.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { MetricsService } from '../ops/metrics.service.js';
import { AuditService } from './audit.service.js';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { SlidingWindowLimiter } from './rate-limiter.js';
import { ThrottledWindows, type ThrottledWindow } from './throttled-windows.js';
import type { UserTable } from './security.tables.js';

export const ROLES = ['admin', 'ops', 'operator', 'leader', 'district'] as const satisfies readonly Role[];

const USERNAME = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/, 'a user name: 2–64 letters, digits, _ . @ -');

export const NewUserSchema = z
  .strictObject({
    username: USERNAME,
    role: z.enum(ROLES),
    district: z.string().refine(isUnitCode, 'must be a district code (520103) or a zone id (gy-hitech)').optional(),
    operator: z.string().min(1).max(100).optional(),
    password: z.string().optional(),
  })
  .refine((u) => (u.role === 'district') === (u.district !== undefined), { message: 'role district needs a district, and only it takes one', path: ['district'] })
  .refine((u) => u.role !== 'operator' || u.operator !== undefined, { message: 'role operator needs the operator name its contracts carry', path: ['operator'] });

const UserPatchSchema = z.strictObject({
  role: z.enum(ROLES).optional(),
  district: z.string().refine(isUnitCode, 'must be a district code or zone id').nullable().optional(),
  operator: z.string().min(1).max(100).nullable().optional(),
  disabled: z.boolean().optional(),
  password: z.string().optional(),
});

const LoginSchema = z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });
const PasswordChangeSchema = z.strictObject({ current: z.string().min(1).max(256), next: z.string().min(1).max(256) });

/** Failed logins: 5 per account and 20 per address in 15 minutes, then 429 until the window moves. */
const ACCOUNT_FAILURES = 5;
const ADDRESS_FAILURES = 20;
const FAILURE_WINDOW_MS = 15 * 60_000;

export interface UserView {
  id: string;
  username: string;
  role: Role;
  district: string | null;
  operator: string | null;
  createdAt: number;
  disabled: boolean;
}

const view = (u: UserTable): UserView => ({
  id: u.id,
  username: u.username,
  role: u.role as Role,
  district: u.district,
  operator: u.operator,
  createdAt: Number(u.created_at),
  disabled: u.disabled_at !== null,
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** How a session token is known once stored (and to the live gateway): its SHA-256, hex. */
export const sessionKey = sha256;

/**
 * Sessions that just ended (issue 13: sockets follow their session): the sessions of these token
 * keys, and/or every session of `userId` but `exceptKey`. JSON, so that it crosses Redis as is.
 */
export interface EndedSessions {
  reason: 'logout' | 'password' | 'account';
  keys?: string[];
  userId?: string;
  exceptKey?: string;
}

/** A live session as the socket handshake needs it: who, its key, and when it expires. */
export interface LiveSession {
  principal: Principal;
  key: string;
  userId: string;
  expiresAt: number;
}

/** How often closed throttle windows are written to the audit log. */
const THROTTLE_FLUSH_MS = 1_000;

/**
 * Accounts and sessions (DESIGN "Sessions", issue 7): argon2id password hashes, session tokens
 * stored as sha256 only, expiry, logout, password change, throttled logins, every act audited.
 */
@Injectable()
export class AccountsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly accountFailures = new SlidingWindowLimiter(ACCOUNT_FAILURES, FAILURE_WINDOW_MS);
  private readonly addressFailures = new SlidingWindowLimiter(ADDRESS_FAILURES, FAILURE_WINDOW_MS);
  /** A dummy hash verified for unknown users, so that timing does not tell which names exist. */
  private dummyHash?: Promise<string>;
  private readonly throttled = new ThrottledWindows();
  private throttleTimer?: NodeJS.Timeout;
  private readonly endedListeners = new Set<(ended: EndedSessions) => void>();

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    // Optional: the admin CLI builds this service without the app around it.
    @Optional() private readonly metrics?: MetricsService,
    @Optional() @Inject(LOGGER) private readonly log?: Logger,
  ) {}

  onModuleInit() {
    this.throttleTimer = setInterval(() => void this.writeThrottled(this.throttled.due(this.clock.now())), THROTTLE_FLUSH_MS);
    this.throttleTimer.unref();
  }

  /** Throttle windows still open are written with what they counted so far: none is lost. */
  async beforeApplicationShutdown() {
    clearInterval(this.throttleTimer);
    await this.writeThrottled(this.throttled.drain());
  }

  /**
   * Hears every end of sessions this instance makes (logout, password change, a user changed or
   * disabled). Listeners are called synchronously after the database says so; returns the removal.
   */
  onSessionsEnded(listener: (ended: EndedSessions) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  private sessionsEnded(ended: EndedSessions): void {
    for (const l of this.endedListeners) {
      try {
        l(ended);
      } catch (err) {
        this.log?.error({ err }, 'a listener of ended sessions failed');
      }
    }
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Creates a user; returns the generated password when none was given. */
  async addUser(input: unknown, actor: string): Promise<{ user: UserView; generatedPassword?: string }> {
    const u = parseInput(NewUserSchema, input, 'user');
    const password = u.password ?? generatePassword();
    const problem = passwordProblem(password, u.username);
    if (problem) throw new ValidationError(`password: ${problem}`, [{ path: 'password', message: problem }]);
    const exists = await this.db.selectFrom('users').select('id').where('username', '=', u.username).executeTakeFirst();
    if (exists) throw new ConflictError(`user ${u.username} exists`);
    const now = this.clock.now();
    const row: UserTable = {
      id: randomUUID(),
      username: u.username,
      password_hash: await hashPassword(password),
      role: u.role,
      district: u.district ?? null,
      operator: u.operator ?? null,
      created_at: now,
      password_changed_at: now,
      disabled_at: null,
    };
    await this.db.insertInto('users').values(row).execute();
    await this.audit.record({ actor, action: 'user.create', target: u.username, after: view(row) });
    return { user: view(row), ...(u.password === undefined ? { generatedPassword: password } : {}) };
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('username').execute()).map(view);
  }

  async updateUser(username: string, input: unknown, actor: string): Promise<UserView> {
    const patch = parseInput(UserPatchSchema, input, `user ${username}`);
    const before = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    if (!before) throw new NotFoundError(`no user ${username}`);
    const next: Partial<UserTable> = {};
    if (patch.role !== undefined) next.role = patch.role;
    if (patch.district !== undefined) next.district = patch.district;
    if (patch.operator !== undefined) next.operator = patch.operator;
    if (patch.disabled !== undefined) next.disabled_at = patch.disabled ? (before.disabled_at ?? this.clock.now()) : null;
    if (patch.password !== undefined) {
      const problem = passwordProblem(patch.password, username);
      if (problem) throw new ValidationError(`password: ${problem}`);
      next.password_hash = await hashPassword(patch.password);
      next.password_changed_at = this.clock.now();
    }
    const merged = { ...before, ...next };
    if ((merged.role === 'district') !== (merged.district !== null)) throw new ValidationError('role district needs a district, and only it takes one');
    if (merged.role === 'operator' && merged.operator === null) throw new ValidationError('role operator needs an operator name');
    await this.db.updateTable('users').set(next).where('id', '=', before.id).execute();
    // A role, scope or password change, or a disabled account, ends the user's sessions at once.
    await this.revokeSessionsOf(before.id);
    this.sessionsEnded({ reason: 'account', userId: before.id });
    await this.audit.record({ actor, action: 'user.update', target: username, before: view(before), after: view(merged) });
    return view(merged);
  }

  /**
   * Checks credentials; returns a new session token. Throttled: an attempt is counted against its
   * account and address BEFORE its password is checked (issue 13), so that however many arrive at
   * once, at most ACCOUNT_FAILURES are verified per window; a success gives its count back. Failed
   * attempts are audited one by one (bounded by the limits); throttled ones per window, with a count.
   */
  async login(input: unknown, address: string): Promise<{ token: string; expiresAt: number; user: Principal }> {
    const { username, password } = parseInput(LoginSchema, input, 'login');
    const account = username.toLowerCase();
    const now = this.clock.now();
    const accountWait = this.accountFailures.blockedFor(account, now);
    const addressWait = this.addressFailures.blockedFor(address, now);
    const wait = Math.max(accountWait, addressWait);
    if (wait > 0) {
      this.metrics?.loginThrottled.inc();
      if (this.throttled.hit({ name: username, address, byAddress: addressWait > 0 }, now, now + wait)) {
        this.log?.warn({ actor: username.slice(0, 200), address, byAddress: addressWait > 0, retryAfterSeconds: Math.ceil(wait / 1000) }, 'logins throttled: further attempts are counted, one audit row when the block lifts');
      }
      throw new TooManyRequestsError(`too many failed logins; try again in ${Math.ceil(wait / 1000)} s`, wait);
    }
    // No await between the check above and these two lines: the next request sees them.
    const slots = [this.accountFailures.record(account, now, true), this.addressFailures.record(address, now, true)] as const;
    let user: UserTable | undefined;
    let ok = false;
    try {
      user = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      this.dummyHash ??= hashPassword(generatePassword());
      this.metrics?.loginPasswordChecks.inc();
      ok = user ? await verifyPassword(user.password_hash, password) : (await verifyPassword(await this.dummyHash, password), false);
    } finally {
      // A check that failed on its way (the database away) counts as a failure.
      for (const slot of slots) slot.pending = false;
    }
    if (!user || !ok || user.disabled_at !== null) {
      await this.audit.record({ actor: username, action: 'auth.login', outcome: 'failed', address, after: { reason: !user ? 'unknown user' : !ok ? 'wrong password' : 'disabled' } });
      throw new UnauthorizedError('wrong user name or password');
    }
    // Signed in: this attempt does not count, and the account's earlier failures are forgotten
    // (not those still being checked). The address keeps its other failures.
    this.accountFailures.refund(account, slots[0]);
    this.accountFailures.clearSettled(account);
    this.addressFailures.refund(address, slots[1]);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.config.sessionTtlMs;
    await this.db.insertInto('sessions').values({ token_hash: sha256(token), user_id: user.id, created_at: now, last_seen: now, expires_at: expiresAt, revoked_at: null }).execute();
    await this.audit.record({ actor: `user:${user.username}`, action: 'auth.login', address });
    return { token, expiresAt, user: this.principalOf(user) };
  }

  /** One audit row per closed throttle window, with the number of attempts it refused. */
  private async writeThrottled(windows: ThrottledWindow[]): Promise<void> {
    for (const w of windows) {
      try {
        await this.audit.record({
          actor: w.actor,
          action: 'auth.login',
          outcome: 'denied',
          address: w.address,
          after: { reason: 'throttled', attempts: w.attempts, first: w.first, last: w.last, blockedUntil: w.until, ...(w.byAddress ? { by: 'address', names: [...w.names] } : { by: 'account' }) },
        });
      } catch (err) {
        this.log?.error({ err, actor: w.actor, address: w.address, attempts: w.attempts }, 'throttled logins not written to the audit log');
      }
    }
  }

  /** The principal of a live session token, or undefined (unknown, expired, revoked, user disabled). */
  async resolve(token: string): Promise<Principal | undefined> {
    return (await this.session(token))?.principal;
  }

  /** A live session with its key and expiry (for sockets that must end with it), or undefined. */
  async session(token: string): Promise<LiveSession | undefined> {
    if (token.length < 20 || token.length > 200) return undefined;
    const now = this.clock.now();
    const row = await this.db
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('users')
      .select(['sessions.expires_at', 'sessions.revoked_at', 'sessions.last_seen', 'sessions.token_hash'])
      .where('sessions.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || Number(row.expires_at) <= now || row.disabled_at !== null) return undefined;
    if (now - Number(row.last_seen) > 60_000) {
      await this.db.updateTable('sessions').set({ last_seen: now }).where('token_hash', '=', row.token_hash).execute();
    }
    return { principal: this.principalOf(row), key: row.token_hash, userId: row.id, expiresAt: Number(row.expires_at) };
  }

  /**
   * Of these session keys, those still live (not revoked, not expired, user not disabled). One
   * query per 500 keys: the live gateway's sweep asks for all its sockets at once.
   */
  async liveKeys(keys: readonly string[]): Promise<Set<string>> {
    const live = new Set<string>();
    const now = this.clock.now();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select('sessions.token_hash')
        .where('sessions.token_hash', 'in', keys.slice(i, i + 500))
        .where('sessions.revoked_at', 'is', null)
        .where('sessions.expires_at', '>', now)
        .where('users.disabled_at', 'is', null)
        .execute();
      for (const r of rows) live.add(r.token_hash);
    }
    return live;
  }

  async logout(token: string, p: Principal): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: this.clock.now() }).where('token_hash', '=', sha256(token)).where('revoked_at', 'is', null).execute();
    this.sessionsEnded({ reason: 'logout', keys: [sha256(token)] });
    await this.audit.record({ actor: `user:${p.username}`, action: 'auth.logout' });
  }

  async changePassword(p: Principal, input: unknown, keepToken: string): Promise<void> {
    const { current, next } = parseInput(PasswordChangeSchema, input, 'password change');
    const user = await this.db.selectFrom('users').selectAll().where('id', '=', p.userId).executeTakeFirstOrThrow();
    if (!(await verifyPassword(user.password_hash, current))) {
      await this.audit.record({ actor: `user:${p.username}`, action: 'auth.password', outcome: 'failed', after: { reason: 'wrong current password' } });
      throw new ValidationError('current: the current password is wrong', [{ path: 'current', message: 'wrong' }]);
    }
    const problem = passwordProblem(next, user.username);
    if (problem) throw new ValidationError(`next: ${problem}`, [{ path: 'next', message: problem }]);
    await this.db.updateTable('users').set({ password_hash: await hashPassword(next), password_changed_at: this.clock.now() }).where('id', '=', user.id).execute();
    // Other sessions end; the one that changed the password goes on.
    await this.db.updateTable('sessions').set({ revoked_at: this.clock.now() }).where('user_id', '=', user.id).where('token_hash', '!=', sha256(keepToken)).where('revoked_at', 'is', null).execute();
    this.sessionsEnded({ reason: 'password', userId: user.id, exceptKey: sha256(keepToken) });
    await this.audit.record({ actor: `user:${p.username}`, action: 'auth.password' });
  }

  private async revokeSessionsOf(userId: string): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: this.clock.now() }).where('user_id', '=', userId).where('revoked_at', 'is', null).execute();
  }

  private principalOf(u: Pick<UserTable, 'id' | 'username' | 'role' | 'district' | 'operator'>): Principal {
    return {
      userId: u.id,
      username: u.username,
      role: u.role as Role,
      ...(u.district ? { district: u.district } : {}),
      ...(u.operator ? { operator: u.operator } : {}),
    };
  }
}
