import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { reusePreparedStatements } from '../src/db/open-database';

describe('prepared statements are reused', () => {
  it('returns the statement prepared for the same SQL, and drops the least recently used past the limit', () => {
    const db = new Database(':memory:');
    reusePreparedStatements(db, 2);
    db.exec('CREATE TABLE t (v INTEGER)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    expect(db.prepare('INSERT INTO t (v) VALUES (?)')).toBe(insert);
    const count = db.prepare('SELECT COUNT(*) AS n FROM t');
    expect(db.prepare('INSERT INTO t (v) VALUES (?)')).toBe(insert); // now the most recent
    db.prepare('SELECT v FROM t'); // a third: the count statement goes
    expect(db.prepare('INSERT INTO t (v) VALUES (?)')).toBe(insert);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t')).not.toBe(count);
    // A reused statement still runs with its new arguments.
    insert.run(1);
    db.prepare('INSERT INTO t (v) VALUES (?)').run(2);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 2 });
    // SQL that fails to prepare throws every time and is not kept.
    expect(() => db.prepare('SELEC nonsense')).toThrow(/syntax error/);
    expect(() => db.prepare('SELEC nonsense')).toThrow(/syntax error/);
    db.close();
  });

  it('is safe because no server source puts a statement in a mode, binds or iterates one', () => {
    const src = fileURLToPath(new URL('../src', import.meta.url));
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const offending = files.filter((f) =>
      /\.(pluck|raw|expand|safeIntegers|iterate|bind)\(/.test(readFileSync(path.join(src, f), 'utf8')),
    );
    expect(offending).toEqual([]);
  });
});
