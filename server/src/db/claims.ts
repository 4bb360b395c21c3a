import type { Db } from './database.js';

/**
 * Claims one-time work for this instance: true for exactly one caller per key, however many
 * instances start together on one database (a primary-key insert; the others find the key taken).
 * For the first-start seeds of the demo (account, inventory, contract), which several instances
 * with ZHUYUN_SIMULATE=1 would otherwise run at once (docs/SCALE.md).
 */
export async function claimOnce(db: Db, key: string, holder: string, at: number): Promise<boolean> {
  const r = await db.insertInto('claims').values({ key, holder, at }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}
