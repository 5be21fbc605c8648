import { rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runServer, spawnServer } from './support/bin';
import { grayPng } from './support/images';
import { makeDataDir, send, uploadOk } from './support/server';

describe('datamint-server binary', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('prints exactly one listening line, serves with the --api-key and env keys, stops cleanly on SIGTERM', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const bin = await spawnServer(
      ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--api-key', 'flag-key'],
      {
        DATAMINT_SERVER_API_KEYS: 'env-key-1, env-key-2',
      },
    );
    expect(bin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const id = await uploadOk(bin.url, {
      bytes: grayPng(2, 2),
      filename: 'a.png',
      mimetype: 'image/png',
      key: 'flag-key',
    });
    expect((await send(`${bin.url}/resources/${id}`, { key: 'flag-key' })).status).toBe(200);
    expect((await send(`${bin.url}/projects`, { key: 'env-key-2' })).status).toBe(200);
    expect((await send(`${bin.url}/projects`, { key: 'other' })).status).toBe(401);
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
    expect(bin.stdout()).toBe(`listening on ${bin.url}\n`);
    expect(bin.stderr()).not.toContain('flag-key');

    // SIGINT too, and the data survived the restart.
    const again = await spawnServer(['--port', '0', '--data-dir', dataDir, '--api-key', 'flag-key']);
    expect((await send(`${again.url}/resources/${id}`, { key: 'flag-key' })).json.filename).toBe('a.png');
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('applies --fault-*, --prefix and --log-level (request log on stderr, never the key)', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const bin = await spawnServer([
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--api-key',
      'secret-key-123',
      '--fault-rate',
      '1',
      '--fault-kinds',
      '429',
      '--fault-seed',
      '5',
      '--prefix',
      '/api',
      '--log-level',
      'info',
    ]);
    const reply = await send(`${bin.url}/api/projects`, { key: 'secret-key-123' });
    expect(reply.status).toBe(429);
    expect(reply.headers['x-datamint-fault']).toBe('429');
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
    expect(bin.stderr()).toContain('"url":"/api/projects"');
    expect(bin.stderr()).not.toContain('secret-key-123');
    expect(bin.stdout()).toBe(`listening on ${bin.url}\n`);
  });

  it('exits 2 with a message naming the flag for bad flags, and 0 for --help', async () => {
    const bad = await runServer(['--port', 'eighty', '--api-key', 'k']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--port must be an integer between 0 and 65535, got 'eighty'");
    expect(bad.stdout).toBe('');
    const emptyDir = await makeDataDir();
    dirs.push(emptyDir);
    const noKey = await runServer(['--port', '0', '--data-dir', emptyDir], {
      DATAMINT_SERVER_API_KEYS: '',
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('at least one API key is required');
    const kinds = await runServer(['--fault-rate', '0.5', '--fault-kinds', '503,boom', '--api-key', 'k']);
    expect(kinds.code).toBe(2);
    expect(kinds.stderr).toContain("unknown fault kind 'boom'");
    const help = await runServer(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--fault-kinds');
  });
});
