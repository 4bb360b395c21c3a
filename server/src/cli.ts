import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CollectorTokensService, parseCollectorUnits } from './auth/collector-tokens.service.js';
import { systemClock } from './common/clock.js';
import { DomainError } from './common/errors.js';
import { ConfigError, loadConfig } from './config/config.js';
import { createLogger } from './common/logger.js';
import { openDatabase, type Db } from './db/database.js';
import { AccountsService } from './security/accounts.service.js';
import { AuditService } from './security/audit.service.js';

/**
 * The admin CLI, `npm run zhuyun -- <command>` at the root, against the configured storage
 * (the same environment as the server: ZHUYUN_DATA_DIR, DATABASE_URL).
 */
const USAGE = `usage: npm run zhuyun -- <command>

  collector add <id> --district <code> [--units <code,code...|'*'>]
                                         register a collector; prints its token as the last line.
                                         It writes points of its district only, and of the
                                         --units given ('*': every unit: a city-level collector)
  collector revoke <id>                  revoke a collector's token
  collector list                         list collectors
  user add <name> --role <role> [--district <code>] [--operator <name>]
                                         create an account; the password is read from standard
                                         input when given there, else generated and printed as
                                         the last line
  user list                              list accounts
  user disable <name>                    disable an account (its sessions end at once)

<role> is admin, ops, operator, leader or district.

<code> is a district code (520103) or a zone id (gy-hitech).
Environment: ZHUYUN_DATA_DIR (default ./data), DATABASE_URL.`;

export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  out: (line: string) => void,
  readStdin: () => Promise<string | undefined> = stdinIfPiped,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { district: { type: 'string' }, units: { type: 'string' }, role: { type: 'string' }, operator: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [group, verb, id] = positionals;
  if (values.help || !group) {
    out(USAGE);
    return values.help ? 0 : 2;
  }
  if (group === 'user' && ['add', 'list', 'disable'].includes(verb ?? '')) {
    return runUserCommand(verb!, id, values, env, out, readStdin);
  }
  if (group !== 'collector' || !['add', 'revoke', 'list'].includes(verb ?? '')) {
    out(`unknown command: ${positionals.join(' ')}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(env, { dashboardDir: fileURLToPath(new URL('../../dashboard/dist', import.meta.url)) });
  const db = await openDatabase(config.database);
  try {
    const tokens = new CollectorTokensService(db, systemClock);
    if (verb === 'list') {
      for (const c of await tokens.list()) {
        // Extra units last and only when there are some: scripts read the fourth column as the state.
        const units = c.units === '*' ? '\tunits=*' : c.units.length ? `\tunits=${c.units.join(',')}` : '';
        out(`${c.id}\t${c.district}\t${new Date(c.createdAt).toISOString()}\t${c.revokedAt ? `revoked ${new Date(c.revokedAt).toISOString()}` : 'active'}${units}`);
      }
      return 0;
    }
    if (!id) {
      out(`collector ${verb} needs an <id>\n\n${USAGE}`);
      return 2;
    }
    if (verb === 'revoke') {
      await tokens.revoke(id);
      await audit(db).record({ actor: 'cli', action: 'collector.token.revoke', target: id });
      out(`collector ${id} revoked`);
      return 0;
    }
    if (!values.district) {
      out('collector add needs --district <code>, e.g. --district 520103');
      return 2;
    }
    const units = parseCollectorUnits(values.units ?? []);
    const token = await tokens.add(id, values.district, { units });
    await audit(db).record({ actor: 'cli', action: 'collector.token.issue', target: id, after: { district: values.district, units } });
    const also = units === '*' ? ' and every other unit' : units.length ? ` and ${units.join(', ')}` : '';
    out(`collector ${id} added for ${values.district}${also}; its token (shown once, keep it in the agent's config):`);
    out(token);
    return 0;
  } finally {
    await db.destroy();
  }
}

const audit = (db: Db) => new AuditService(db, systemClock, createLogger('silent'));

/** Standard input when it is a pipe or a file (a password given there), else undefined. */
async function stdinIfPiped(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  return text === '' ? undefined : text;
}

async function runUserCommand(
  verb: string,
  name: string | undefined,
  values: { role?: string; district?: string; operator?: string },
  env: Record<string, string | undefined>,
  out: (line: string) => void,
  readStdin: () => Promise<string | undefined>,
): Promise<number> {
  if (verb !== 'list' && !name) {
    out(`user ${verb} needs a <name>\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(env, {});
  const db = await openDatabase(config.database);
  try {
    const accounts = new AccountsService(db, systemClock, config, audit(db));
    if (verb === 'list') {
      for (const u of await accounts.listUsers()) out(`${u.username}\t${u.role}${u.district ? `\t${u.district}` : ''}${u.operator ? `\t${u.operator}` : ''}${u.disabled ? '\tdisabled' : ''}`);
      return 0;
    }
    if (verb === 'disable') {
      await accounts.updateUser(name!, { disabled: true }, 'cli');
      out(`user ${name} disabled`);
      return 0;
    }
    if (!values.role) {
      out('user add needs --role <admin|ops|operator|leader|district>');
      return 2;
    }
    const password = await readStdin();
    const { user, generatedPassword } = await accounts.addUser(
      { username: name, role: values.role, district: values.district, operator: values.operator, password },
      'cli',
    );
    out(`user ${user.username} added with role ${user.role}${user.district ? ` for ${user.district}` : ''}`);
    if (generatedPassword) {
      out('its password (shown once):');
      out(generatedPassword);
    }
    return 0;
  } finally {
    await db.destroy();
  }
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  runCli(process.argv.slice(2), process.env, (l) => console.log(l)).then(
    (code) => process.exit(code),
    (err) => {
      if (err instanceof ConfigError || err instanceof DomainError) console.error(`zhuyun: ${err.message}`);
      else console.error('zhuyun:', err);
      process.exit(err instanceof DomainError ? 1 : 2);
    },
  );
}
