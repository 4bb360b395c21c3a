import { Inject, Injectable } from '@nestjs/common';
import { isUnitCode } from '@zhuyun/protocol';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { CLOCK, type Clock } from '../common/clock.js';
import { ConflictError, NotFoundError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../common/errors.js';
import type { Role } from '../common/roles.js';
import { parseInput } from '../common/validate.js';
import { CONFIG, type AppConfig } from '../config/config.js';
import { DATABASE, type Db } from '../db/database.js';
import { AuditService } from './audit.service.js';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { SlidingWindowLimiter } from './rate-limiter.js';
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

/**
 * Accounts and sessions (DESIGN "Sessions", issue 7): argon2id password hashes, session tokens
 * stored as sha256 only, expiry, logout, password change, throttled logins, every act audited.
 */
@Injectable()
export class AccountsService {
  private readonly accountFailures = new SlidingWindowLimiter(ACCOUNT_FAILURES, FAILURE_WINDOW_MS);
  private readonly addressFailures = new SlidingWindowLimiter(ADDRESS_FAILURES, FAILURE_WINDOW_MS);
  /** A dummy hash verified for unknown users, so that timing does not tell which names exist. */
  private dummyHash?: Promise<string>;

  constructor(
    @Inject(DATABASE) private readonly db: Db,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

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
    await this.audit.record({ actor, action: 'user.update', target: username, before: view(before), after: view(merged) });
    return view(merged);
  }

  /** Checks credentials; returns a new session token. Throttled; every attempt audited. */
  async login(input: unknown, address: string): Promise<{ token: string; expiresAt: number; user: Principal }> {
    const { username, password } = parseInput(LoginSchema, input, 'login');
    const now = this.clock.now();
    const wait = Math.max(this.accountFailures.blockedFor(username.toLowerCase(), now), this.addressFailures.blockedFor(address, now));
    if (wait > 0) {
      await this.audit.record({ actor: username, action: 'auth.login', outcome: 'denied', address, after: { reason: 'throttled' } });
      throw new TooManyRequestsError(`too many failed logins; try again in ${Math.ceil(wait / 1000)} s`, wait);
    }
    const user = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    this.dummyHash ??= hashPassword(generatePassword());
    const ok = user ? await verifyPassword(user.password_hash, password) : (await verifyPassword(await this.dummyHash, password), false);
    if (!user || !ok || user.disabled_at !== null) {
      this.accountFailures.record(username.toLowerCase(), now);
      this.addressFailures.record(address, now);
      await this.audit.record({ actor: username, action: 'auth.login', outcome: 'failed', address, after: { reason: !user ? 'unknown user' : !ok ? 'wrong password' : 'disabled' } });
      throw new UnauthorizedError('wrong user name or password');
    }
    this.accountFailures.reset(username.toLowerCase());
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.config.sessionTtlMs;
    await this.db.insertInto('sessions').values({ token_hash: sha256(token), user_id: user.id, created_at: now, last_seen: now, expires_at: expiresAt, revoked_at: null }).execute();
    await this.audit.record({ actor: `user:${user.username}`, action: 'auth.login', address });
    return { token, expiresAt, user: this.principalOf(user) };
  }

  /** The principal of a live session token, or undefined (unknown, expired, revoked, user disabled). */
  async resolve(token: string): Promise<Principal | undefined> {
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
    return this.principalOf(row);
  }

  async logout(token: string, p: Principal): Promise<void> {
    await this.db.updateTable('sessions').set({ revoked_at: this.clock.now() }).where('token_hash', '=', sha256(token)).where('revoked_at', 'is', null).execute();
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
