import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from './db/open-database';
import type { FileStore } from './storage';

/** Every stored file key any table refers to (any column named `file_key`, deleted rows included). */
function referencedKeys(db: Db): Set<string> {
  const keys = new Set<string>();
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const columns = db.prepare(`PRAGMA table_info("${name}")`).all() as Array<{ name: string }>;
    if (!columns.some((c) => c.name === 'file_key')) continue;
    const rows = db.prepare(`SELECT file_key FROM "${name}" WHERE file_key IS NOT NULL`).all() as Array<{
      file_key: string;
    }>;
    for (const row of rows) keys.add(row.file_key);
  }
  return keys;
}

/**
 * Removes stored files that no database row refers to and returns their keys. A file is renamed into
 * place just before the transaction that records it, so a crash (`kill -9`) between the two leaves a
 * file nobody can reach; this runs at start-up, before any request, so no upload is in flight.
 */
export async function sweepOrphanFiles(db: Db, store: FileStore): Promise<string[]> {
  const keys = referencedKeys(db);
  const swept: string[] = [];
  for (const kind of await readdir(store.filesDir)) {
    for (const shard of await readdir(join(store.filesDir, kind)).catch(() => [] as string[])) {
      for (const name of await readdir(join(store.filesDir, kind, shard)).catch(() => [] as string[])) {
        const key = `${kind}/${shard}/${name}`;
        if (keys.has(key)) continue;
        await rm(join(store.filesDir, key), { force: true, recursive: true });
        swept.push(key);
      }
    }
  }
  return swept;
}
