import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../src/index';
import { spawnServer } from './support/bin';
import { makeDataDir, send, upload } from './support/server';

const KEY = 'crash-test-key-0001';

async function storedFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const files = join(dataDir, 'files');
  for (const kind of await readdir(files)) {
    for (const shard of await readdir(join(files, kind))) {
      for (const name of await readdir(join(files, kind, shard))) out.push(`${kind}/${shard}/${name}`);
    }
  }
  return out.sort();
}

function fileKeysInDatabase(dataDir: string): string[] {
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT file_key FROM resources UNION ALL SELECT file_key FROM annotations WHERE file_key IS NOT NULL',
      )
      .all() as Array<{ file_key: string }>;
    return rows.map((r) => r.file_key).sort();
  } finally {
    db.close();
  }
}

describe('crash safety', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('after kill -9 during uploads, a restart leaves every stored file with its row and sweeps the rest', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const args = ['--port', '0', '--data-dir', dataDir, '--api-key', KEY, '--log-level', 'warn'];
    const first = await spawnServer(args);
    const bytes = new Uint8Array(256 * 1024).fill(7);
    const inFlight = Array.from({ length: 24 }, (_, i) =>
      upload(first.url, { bytes, filename: `f${i}.bin`, key: KEY }).catch((err: unknown) => err),
    );
    // Kill as soon as the first upload is acknowledged, with the others mid-flight.
    await Promise.race(inFlight);
    first.child.kill('SIGKILL');
    await first.exited;
    const outcomes = await Promise.all(inFlight);
    const acknowledged = outcomes
      .filter((o): o is { status: number; json: { id: string } } => (o as { status?: number }).status === 201)
      .map((o) => o.json.id);
    expect(acknowledged.length).toBeGreaterThan(0);

    // The window between renaming a file into place and committing its row, made certain.
    const orphanId = randomUUID();
    const orphanKey = `resources/${orphanId.slice(0, 2)}/${orphanId}`;
    await mkdir(join(dataDir, 'files', 'resources', orphanId.slice(0, 2)), { recursive: true });
    await writeFile(join(dataDir, 'files', orphanKey), 'left by a crash');

    const second = await spawnServer(args);
    try {
      expect(await storedFiles(dataDir)).toEqual(fileKeysInDatabase(dataDir));
      expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
      expect(second.stderr()).toContain(orphanKey);
      expect(second.stderr()).toContain('without a database row');
      for (const id of acknowledged) {
        const file = await send(`${second.url}/resources/${id}/file`, { key: KEY });
        expect(file.status).toBe(200);
        expect(file.bytes.length).toBe(bytes.length);
      }
    } finally {
      second.child.kill('SIGKILL');
      await second.exited;
    }
  });
});
