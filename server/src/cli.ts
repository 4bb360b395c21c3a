import 'reflect-metadata';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CollectorTokensService } from './auth/collector-tokens.service.js';
import { systemClock } from './common/clock.js';
import { DomainError } from './common/errors.js';
import { ConfigError, loadConfig } from './config/config.js';
import { openDatabase } from './db/database.js';

/**
 * The admin CLI, `npm run zhuyun -- <command>` at the root, against the configured storage
 * (the same environment as the server: ZHUYUN_DATA_DIR, DATABASE_URL).
 */
const USAGE = `usage: npm run zhuyun -- <command>

  collector add <id> --district <code>   register a collector; prints its token as the last line
  collector revoke <id>                  revoke a collector's token
  collector list                         list collectors

<code> is a district code (520103) or a zone id (gy-hitech).
Environment: ZHUYUN_DATA_DIR (default ./data), DATABASE_URL.`;

export async function runCli(argv: string[], env: Record<string, string | undefined>, out: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { district: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [group, verb, id] = positionals;
  if (values.help || !group) {
    out(USAGE);
    return values.help ? 0 : 2;
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
        out(`${c.id}\t${c.district}\t${new Date(c.createdAt).toISOString()}\t${c.revokedAt ? `revoked ${new Date(c.revokedAt).toISOString()}` : 'active'}`);
      }
      return 0;
    }
    if (!id) {
      out(`collector ${verb} needs an <id>\n\n${USAGE}`);
      return 2;
    }
    if (verb === 'revoke') {
      await tokens.revoke(id);
      out(`collector ${id} revoked`);
      return 0;
    }
    if (!values.district) {
      out('collector add needs --district <code>, e.g. --district 520103');
      return 2;
    }
    const token = await tokens.add(id, values.district);
    out(`collector ${id} added for ${values.district}; its token (shown once, keep it in the agent's config):`);
    out(token);
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
