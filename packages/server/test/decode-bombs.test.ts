import { rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../src/index';
import { RenderPool } from '../src/render/render-pool';
import { spawnServer } from './support/bin';
import { niftiGzBomb, pngHeaderOnly } from './support/bombs';
import { grayPng } from './support/images';
import { aiohttpMultipart } from './support/multipart';
import { makeNifti } from './support/nifti';
import {
  KEY_A,
  KEY_B,
  makeDataDir,
  send,
  startTestServer,
  type TestServer,
  uploadOk,
} from './support/server';

/** A segmentation annotation on `resourceId`, ready for its mask file. */
async function segmentationAnnotation(url: string, resourceId: string, key = KEY_A): Promise<string> {
  const reply = await send(`${url}/annotations/${resourceId}/annotations`, {
    method: 'POST',
    key,
    json: [{ type: 'segmentation', identifier: 'lesion', scope: 'frame', frame_index: 0 }],
  });
  expect(reply.status).toBe(201);
  return (reply.json as string[])[0]!;
}

function attachMask(url: string, resourceId: string, annotationId: string, mask: Uint8Array) {
  const { body, contentType } = aiohttpMultipart([
    { name: 'file', value: mask, filename: 'mask.png', contentType: 'image/png' },
  ]);
  return send(`${url}/annotations/${resourceId}/annotations/${annotationId}/file`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
  });
}

function uploadVolume(url: string, resourceId: string, volume: Uint8Array) {
  const { body, contentType } = aiohttpMultipart([
    { name: 'file', value: volume, filename: 'labels.nii.gz', contentType: 'application/gzip' },
    { name: 'segmentation_map', value: '{"1": "liver"}' },
  ]);
  return send(`${url}/annotations/${resourceId}/segmentations/file`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
  });
}

describe('decode limits on every decoding path', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ maxDecompressedBytes: 32 * 1024 * 1024 });
  });
  afterAll(async () => {
    await server?.dispose();
  });

  it('refuses to render a PNG declaring 30000×30000 pixels with 413 naming the limit, serving others', async () => {
    const id = await uploadOk(server.url, {
      bytes: pngHeaderOnly(30000, 30000),
      filename: 'bomb.png',
      mimetype: 'image/png',
    });
    const ok = await uploadOk(server.url, {
      bytes: grayPng(8, 8),
      filename: 'fine.png',
      mimetype: 'image/png',
    });
    const [bomb, other] = await Promise.all([
      send(`${server.url}/resources/${id}/frames/0`),
      send(`${server.url}/resources/${ok}/frames/0`),
    ]);
    expect(bomb.status).toBe(413);
    expect(bomb.json.message).toContain('maxFramePixels');
    expect(bomb.json.message).toContain('30000×30000');
    expect(other.status).toBe(200);
  });

  it('refuses a .nii.gz whose header declares more than maxDecompressedBytes, before inflating it', async () => {
    // 512×512×400 int16 = 200 MB declared, over the 32 MiB limit of this server.
    const id = await uploadOk(server.url, {
      bytes: niftiGzBomb([512, 512, 400], 16 * 1024 * 1024),
      filename: 'bomb.nii.gz',
      mimetype: 'application/x-nifti',
    });
    const reply = await send(`${server.url}/resources/${id}/frames/0`);
    expect(reply.status).toBe(413);
    expect(reply.json.message).toContain('maxDecompressedBytes');
    expect(reply.json.message).toContain('NIfTI');
  });

  it('inflates only what a .nii.gz header declares: a tail of 200 MB zeros is never produced', async () => {
    const volume = makeNifti([8, 8, 2], (i) => i);
    const gz = gzipSync(Buffer.concat([volume, Buffer.alloc(200 * 1024 * 1024)]));
    const id = await uploadOk(server.url, {
      bytes: gz,
      filename: 'tail.nii.gz',
      mimetype: 'application/x-nifti',
    });
    const reply = await send(`${server.url}/resources/${id}/frames/1`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('image/png');
  });

  it('refuses a mask PNG declaring 30000×30000 pixels with 413 and attaches nothing', async () => {
    const resourceId = await uploadOk(server.url, {
      bytes: grayPng(8, 8),
      filename: 'image.png',
      mimetype: 'image/png',
    });
    const annotationId = await segmentationAnnotation(server.url, resourceId);
    const reply = await attachMask(server.url, resourceId, annotationId, pngHeaderOnly(30000, 30000));
    expect(reply.status).toBe(413);
    expect(reply.json.message).toContain('mask rejected');
    expect(reply.json.message).toContain('maxFramePixels');
    const file = await send(`${server.url}/annotations/${resourceId}/annotations/${annotationId}/file`);
    expect(file.status).toBe(404);
    // Within the limits the same route still takes a real mask.
    expect((await attachMask(server.url, resourceId, annotationId, grayPng(8, 8))).status).toBe(201);
  });

  it('refuses a segmentation volume bomb with 413 and creates no annotation; a declared-size volume with a zero tail is read', async () => {
    const resourceId = await uploadOk(server.url, {
      bytes: makeNifti([8, 8, 2], () => 0),
      filename: 'ct.nii',
      mimetype: 'application/x-nifti',
    });
    const bomb = await uploadVolume(server.url, resourceId, niftiGzBomb([512, 512, 400], 16 * 1024 * 1024));
    expect(bomb.status).toBe(413);
    expect(bomb.json.message).toContain('segmentation file rejected');
    expect(bomb.json.message).toContain('maxDecompressedBytes');
    const none = await send(`${server.url}/annotations?resource_id=${resourceId}`);
    expect(none.json.data).toEqual([]);

    const labels = makeNifti([8, 8, 2], (i) => (i < 10 ? 1 : 0));
    const tailed = gzipSync(Buffer.concat([labels, Buffer.alloc(200 * 1024 * 1024)]));
    const ok = await uploadVolume(server.url, resourceId, tailed);
    expect(ok.status).toBe(201);
    expect(ok.json).toHaveLength(1);
  });
});

describe('render pool', () => {
  it('answers 503 naming renderQueueLimit when every worker is busy and the queue is full', async () => {
    const pool = new RenderPool({ workers: 1, queueLimit: 1 });
    try {
      const task = {
        source: { path: '/nonexistent/file.png', mimetype: 'image/png', filename: 'x.png', storage: '' },
        index: 0,
        limits: { maxFramePixels: 1, maxDecompressedBytes: 1 },
      };
      // Started, queued, refused: all three are decided as they are called.
      const running = pool.run('frame', task).catch((e: unknown) => e);
      const queued = pool.run('frame', task).catch((e: unknown) => e);
      const refused = await pool.run('frame', task).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(HttpError);
      expect((refused as HttpError).statusCode).toBe(503);
      expect((refused as HttpError).message).toContain('renderQueueLimit 1');
      expect((refused as HttpError).headers['retry-after']).toBe('1');
      // The missing file is the worker's error, carried back for both tasks that ran.
      for (const outcome of await Promise.all([running, queued])) {
        expect((outcome as Error).message).toContain('ENOENT');
      }
    } finally {
      await pool.close();
    }
  });

  it('carries a task’s HTTP error back from the worker with its status', async () => {
    const pool = new RenderPool({ workers: 1, queueLimit: 0 });
    const dataDir = await makeDataDir();
    try {
      const { writeFile } = await import('node:fs/promises');
      const path = `${dataDir}/bomb.png`;
      await writeFile(path, pngHeaderOnly(30000, 30000));
      const error = await pool
        .run('frame', {
          source: { path, mimetype: 'image/png', filename: 'bomb.png', storage: '' },
          index: 0,
          limits: { maxFramePixels: 1000, maxDecompressedBytes: 1000 },
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).statusCode).toBe(413);
      expect((error as HttpError).message).toContain('maxFramePixels limit of 1000');
    } finally {
      await pool.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('datamint-server with --max-old-space-size=512 and default limits', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('refuses every bomb cleanly while another client is served', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const bin = await spawnServer(
      ['--port', '0', '--data-dir', dataDir, '--api-key', KEY_A, '--api-key', KEY_B, '--log-level', 'warn'],
      { NODE_OPTIONS: '--max-old-space-size=512' },
    );
    try {
      const url = bin.url;
      // As the issue reproduced them: a 30000×30000 PNG header, and a small .nii.gz declaring 3.2 GB.
      const pngBomb = pngHeaderOnly(30000, 30000);
      const niftiBomb = niftiGzBomb([2048, 2048, 400], 64 * 1024 * 1024);
      const pngId = await uploadOk(url, { bytes: pngBomb, filename: 'bomb.png', mimetype: 'image/png' });
      const niftiId = await uploadOk(url, {
        bytes: niftiBomb,
        filename: 'bomb.nii.gz',
        mimetype: 'application/x-nifti',
      });
      const imageId = await uploadOk(url, {
        bytes: grayPng(8, 8),
        filename: 'img.png',
        mimetype: 'image/png',
      });
      const annotationId = await segmentationAnnotation(url, imageId);
      const ctId = await uploadOk(url, {
        bytes: makeNifti([8, 8, 2], () => 0),
        filename: 'ct.nii',
        mimetype: 'application/x-nifti',
      });
      const otherId = await uploadOk(url, {
        bytes: grayPng(16, 16),
        filename: 'other.png',
        mimetype: 'image/png',
        key: KEY_B,
      });

      const bombs = [
        ...Array.from({ length: 3 }, () => send(`${url}/resources/${pngId}/frames/0`)),
        ...Array.from({ length: 3 }, () => send(`${url}/resources/${niftiId}/frames/0`)),
        attachMask(url, imageId, annotationId, pngBomb),
        uploadVolume(url, ctId, niftiBomb),
      ];
      const others = Array.from({ length: 6 }, (_, i) =>
        i % 2 === 0
          ? send(`${url}/resources/${otherId}/frames/0`, { key: KEY_B })
          : send(`${url}/resources`, { key: KEY_B }),
      );
      const [bombReplies, otherReplies] = await Promise.all([Promise.all(bombs), Promise.all(others)]);
      for (const reply of otherReplies) expect(reply.status).toBe(200);
      const messages = bombReplies.map((r) => `${r.status} ${r.json?.message}`);
      for (const reply of bombReplies) expect(reply.status).toBe(413);
      expect(messages.slice(0, 3).every((m) => m.includes('maxFramePixels'))).toBe(true);
      expect(messages.slice(3, 6).every((m) => m.includes('maxDecompressedBytes'))).toBe(true);
      expect(messages[6]).toContain('maxFramePixels');
      expect(messages[7]).toContain('maxDecompressedBytes');

      expect(bin.child.exitCode).toBeNull();
      expect((await send(`${url}/resources`, { key: KEY_B })).status).toBe(200);
    } finally {
      bin.child.kill('SIGTERM');
    }
    expect(await bin.exited).toBe(0);
  });
});
