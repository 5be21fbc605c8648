import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE, ServerConfigError, startServer } from '../src/index';
import { grayPng } from './support/images';
import { makeDataDir, send, uploadOk } from './support/server';

describe('persistence across restarts', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps resources, files, projects, annotations and a plain key’s identity after a restart', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const first = await startServer({ dataDir, apiKeys: ['plain-key'] });
    const png = grayPng(6, 6);
    const id = await uploadOk(first.url, {
      bytes: png,
      filename: 'keep.png',
      mimetype: 'image/png',
      key: 'plain-key',
    });
    const project = (
      await send(`${first.url}/projects`, {
        method: 'POST',
        json: { name: 'Kept', resource_ids: [id] },
        key: 'plain-key',
      })
    ).json;
    await send(`${first.url}/annotations/${id}/annotations`, {
      method: 'POST',
      json: [{ identifier: 'l', type: 'label', scope: 'image' }],
      key: 'plain-key',
    });
    const before = (await send(`${first.url}/resources/${id}`, { key: 'plain-key' })).json;
    await first.close();

    const second = await startServer({ dataDir, apiKeys: ['plain-key'] });
    try {
      const after = (await send(`${second.url}/resources/${id}`, { key: 'plain-key' })).json;
      expect(after).toEqual(before);
      const file = await send(`${second.url}/resources/${id}/file`, { key: 'plain-key' });
      expect(Buffer.compare(file.bytes, Buffer.from(png))).toBe(0);
      expect(
        (await send(`${second.url}/projects/${project.id}`, { key: 'plain-key' })).json.resource_count,
      ).toBe('1');
      expect((await send(`${second.url}/annotations`, { key: 'plain-key' })).json.totalCount).toBe(1);
    } finally {
      await second.close();
    }

    // A key that is no longer configured no longer authenticates.
    const third = await startServer({ dataDir, apiKeys: ['another-key'] });
    try {
      expect((await send(`${third.url}/resources/${id}`, { key: 'plain-key' })).status).toBe(401);
      expect((await send(`${third.url}/resources/${id}`, { key: 'another-key' })).status).toBe(404);
    } finally {
      await third.close();
    }
  });

  it('stores keys only as hashes, runs in WAL mode and records the applied migration versions', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const server = await startServer({ dataDir, apiKeys: ['hash-me-please'] });
    await server.close();
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
      expect(versions).toEqual([
        { version: 1 },
        { version: 2 },
        { version: 3 },
        { version: 4 },
        { version: 5 },
      ]);
      const keys = db.prepare('SELECT key_hash FROM api_keys').all() as Array<{ key_hash: string }>;
      expect(keys).toHaveLength(1);
      expect(keys[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(db.prepare('SELECT * FROM users').all())).not.toContain('hash-me-please');
    } finally {
      db.close();
    }
  });

  it('upgrades a version-1 database in place (migrations are versioned)', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const { MIGRATIONS } = await import('../src/db/migrations');
    const { openDatabase } = await import('../src/db/open-database');
    const v1 = openDatabase(join(dataDir, DATABASE_FILE), MIGRATIONS.slice(0, 1));
    v1.close();
    const server = await startServer({ dataDir, apiKeys: ['k'] });
    await server.close();
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
    try {
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').all()).toEqual([
        { version: 1 },
        { version: 2 },
        { version: 3 },
        { version: 4 },
        { version: 5 },
      ]);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'idempotency_keys'").get()).toEqual({
        name: 'idempotency_keys',
      });
    } finally {
      db.close();
    }
  });

  it('refuses a database written by a newer schema, and bad options, with ServerConfigError', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const s = await startServer({ dataDir, apiKeys: ['k'] });
    await s.close();
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'now')",
    ).run();
    db.close();
    await expect(startServer({ dataDir, apiKeys: ['k'] })).rejects.toThrow(
      'database schema version 99 is newer than this server supports (5); upgrade @datamint/server',
    );
    await expect(startServer({ dataDir, apiKeys: [] })).rejects.toBeInstanceOf(ServerConfigError);
    await expect(startServer({ dataDir, apiKeys: ['k'], port: 70000 })).rejects.toThrow(
      'port must be an integer between 0 and 65535, got 70000',
    );
    await expect(startServer({ dataDir, apiKeys: ['has space'] })).rejects.toThrow(
      'apiKeys[0]: an API key may only contain printable ASCII without spaces',
    );
  });
});

describe('error classes', () => {
  it('belong to the DatamintException tree', async () => {
    const { DatamintException } = await import('@datamint/core');
    const error = await startServer({ dataDir: '', apiKeys: ['k'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerConfigError);
    expect(error).toBeInstanceOf(DatamintException);
    expect((error as Error).name).toBe('ServerConfigError');
    expect((error as Error).message).toBe(
      'dataDir is required: the directory holding the database and uploaded files',
    );
  });
});
