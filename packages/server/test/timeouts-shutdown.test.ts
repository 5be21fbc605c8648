import { readdir, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnServer } from './support/bin';
import { KEY_A, makeDataDir, send, startTestServer, type TestServer } from './support/server';

/** Opens a real socket and sends the headers and the first part of a multipart upload, then stalls. */
function stalledUpload(url: string, key: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const boundary = 'stall-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="resource"; filename="s.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        `POST /resources HTTP/1.1\r\nHost: ${hostname}\r\napikey: ${key}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 10000000\r\n\r\n${head}`,
      );
      socket.write(Buffer.alloc(64 * 1024, 1), () => resolve(socket));
    });
    socket.on('error', reject);
  });
}

function closed(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  return new Promise((resolve) => socket.on('close', () => resolve(received)));
}

async function waitForTempFile(dataDir: string): Promise<void> {
  while ((await readdir(join(dataDir, 'tmp'))).length === 0) await new Promise((r) => setTimeout(r, 20));
}

describe('time-outs and shutdown', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of cleanup) await step();
  });

  it('closes an upload whose body stops arriving and removes its temp file', async () => {
    const server: TestServer = await startTestServer({ timeouts: { bodyMs: 300 } });
    cleanup.push(() => server.dispose());
    const socket = await stalledUpload(server.url, KEY_A);
    const done = closed(socket);
    await waitForTempFile(server.dataDir);
    await done;
    // The failed upload cleans up after itself; the server still answers others.
    while ((await readdir(join(server.dataDir, 'tmp'))).length > 0)
      await new Promise((r) => setTimeout(r, 20));
    expect((await send(`${server.url}/resources`)).status).toBe(200);
  });

  it('on SIGTERM with an upload stalled mid-body, exits 0 within the deadline and leaves nothing half-written', async () => {
    const dataDir = await makeDataDir();
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const bin = await spawnServer([
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--api-key',
      KEY_A,
      '--body-timeout-ms',
      '600000',
      '--shutdown-timeout-ms',
      '500',
    ]);
    const socket = await stalledUpload(bin.url, KEY_A);
    const done = closed(socket);
    await waitForTempFile(dataDir);
    bin.child.kill('SIGTERM');
    expect(await bin.exited).toBe(0);
    await done;
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    expect(await readdir(join(dataDir, 'files'))).toEqual([]);
  });
});
