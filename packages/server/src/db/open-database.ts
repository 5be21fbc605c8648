import Database from 'better-sqlite3';
import { ServerConfigError } from '../errors';
import { MIGRATIONS, type Migration } from './migrations';

export type Db = Database.Database;

/** Opens (creating if needed) the database file in WAL mode and applies pending migrations. */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = new Database(file);
  reusePreparedStatements(db);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, migrations);
  return db;
}

/** Distinct SQL texts kept prepared; queries built from filters vary, the rest are a fixed set. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Makes `db.prepare` return the statement already prepared for the same SQL text. Every request
 * prepared its queries anew, and preparing costs about as much as running a small query: it was
 * a tenth of the server's time per upload. Sharing a statement is safe because better-sqlite3 runs
 * each to completion synchronously, and no code here puts one in a mode (`pluck`, `raw`, `expand`,
 * `safeIntegers`), binds its parameters for good (`bind`) or keeps one open with `iterate`
 * (test/prepared-statements.test.ts reads the sources to hold them to that).
 */
export function reusePreparedStatements(db: Db, size = STATEMENT_CACHE_SIZE): void {
  const prepare = (sql: string) => Database.prototype.prepare.call(db, sql);
  const prepared = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let statement = prepared.get(sql);
    if (statement) {
      // Most recently used last, so the least recently used is dropped first.
      prepared.delete(sql);
    } else {
      statement = prepare(sql);
      if (prepared.size >= size) prepared.delete(prepared.keys().next().value!);
    }
    prepared.set(sql, statement);
    return statement;
  }) as Db['prepare'];
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > newest) {
    throw new ServerConfigError(
      `database schema version ${current} is newer than this server supports (${newest}); upgrade @datamint/server`,
    );
  }
  const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
}
