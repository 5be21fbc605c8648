import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { decode } from 'fast-png';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APIHandler,
  APIUserAbortError,
  ContentReadError,
  InvalidDicomError,
  planUpload,
  ResourceNotFoundError,
  UploadFileError,
  type UploadProgress,
  type UploadResult,
  ValidationError,
} from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng, maskPng } from './helpers/images';
import { lossyProxy } from './helpers/lossy-proxy';
import { recordingProxy } from './helpers/recording-proxy';
import { API_KEY, startTestServer, type TestServer } from './helpers/server';

let server: TestServer;
let api: APIHandler;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  work = await mkdtemp(path.join(tmpdir(), 'dm-upload-'));
});
afterAll(async () => {
  await server?.close();
  // A folder a test made unreadable may resist removal; the scratch folder is then left, not a failure.
  if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
});

async function resourcesNamed(filename: string) {
  return api.getResources({ filename }).toArray();
}

describe('inputs and naming', () => {
  it('uploads paths, directories (sorted, hidden files skipped, recursive on request), Files and streams', async () => {
    const dir = path.join(work, 'tree');
    await mkdir(path.join(dir, 'sub'), { recursive: true });
    await writeFile(path.join(dir, 'b.png'), grayPng(3, 3, 1));
    await writeFile(path.join(dir, 'a.png'), grayPng(3, 3, 2));
    await writeFile(path.join(dir, '.hidden.png'), grayPng(3, 3, 3));
    await writeFile(path.join(dir, 'sub', 'c.png'), grayPng(3, 3, 4));
    const flat = await api.uploadResources(dir, { channel: 'flat' });
    expect(flat.map((r) => r.source)).toEqual([path.join(dir, 'a.png'), path.join(dir, 'b.png')]);
    const deep = await api.uploadResources([dir], { recursive: true, channel: 'deep' });
    expect(deep.map((r) => path.basename(r.source))).toEqual(['a.png', 'b.png', 'c.png']);

    const stream = Readable.from([grayPng(2, 2, 5).subarray(0, 10), grayPng(2, 2, 5).subarray(10)]);
    const mixed = await api.uploadResources(
      [
        new File([grayPng(2, 2, 6) as Uint8Array<ArrayBuffer>], 'file-object.png'),
        { name: 'streamed/from stream.png', data: stream },
        { name: 'web.png', data: new Blob([grayPng(2, 2, 7) as Uint8Array<ArrayBuffer>]).stream() },
      ],
      { channel: 'mixed' },
    );
    expect(mixed.every((r) => r.ok)).toBe(true);
    const stored = await api
      .getResources({ channel: 'mixed', orderField: 'filename', orderAscending: true })
      .toArray();
    expect(stored.map((r) => [r.filename, r.source_filepath, r.size])).toEqual([
      ['file-object.png', 'file-object.png', grayPng(2, 2, 6).byteLength],
      ['from stream.png', 'streamed/from stream.png', grayPng(2, 2, 5).byteLength],
      ['web.png', 'web.png', grayPng(2, 2, 7).byteLength],
    ]);
  });

  it('munges names and detects the mimetype by content', async () => {
    const [r] = await api.uploadResources(
      { name: 'home/me/data/really-a-png.jpg', data: grayPng(2, 2, 8) },
      { mungFilename: [2, 3] },
    );
    expect(r).toMatchObject({ ok: true, filename: 'me_data_really-a-png.jpg' });
    const [stored] = await resourcesNamed('me_data_really');
    expect(stored).toMatchObject({ mimetype: 'image/png', source_filepath: 'me_data_really-a-png.jpg' });
    const [typed] = await api.uploadResources(
      { name: 'blob.bin', data: new Uint8Array([1, 2, 3, 4]) },
      { mimetype: 'application/x-custom' },
    );
    expect((await api.getResourcesByIds(typed?.ok ? typed.id : '')).mimetype).toBe('application/x-custom');
  });

  it('validates options up front, naming the field', async () => {
    await expect(api.uploadResources('x', { onError: 'ignore' as never })).rejects.toThrow(/onError/);
    await expect(api.uploadResources('x', { mungFilename: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(api.uploadResources('x', { tags: ['a,b'] })).rejects.toThrow(/tags\[0\]/);
    await expect(api.uploadResources(['x', 'y'], { segmentationFiles: [null] })).rejects.toThrow(
      /segmentationFiles/,
    );
    await expect(api.uploadResources([{ name: 'n', data: 42 } as never])).rejects.toThrow(/files\[0\]\.data/);
  });
});

describe('errors, publishing, segmentations, progress', () => {
  it.skipIf(!requireData())(
    "onError 'skip': every other file lands, failures reported in input order",
    async () => {
      const inputs = [
        { name: 'skip/ok-1.png', data: grayPng(3, 3, 11) },
        `${dataDir}/dicom/broken/rtplan_truncated.dcm`,
        `${dataDir}/dicom/ts/MR_small.dcm`,
        path.join(work, 'does-not-exist.png'),
        { name: 'skip/ok-2.png', data: grayPng(3, 3, 12) },
      ];
      const results = await api.uploadResources(inputs, { onError: 'skip', channel: 'skip' });
      expect(results.map((r) => r.ok)).toEqual([true, false, true, false, true]);
      const bad = results[1]!;
      if (bad.ok) throw new Error('unreachable');
      expect(bad.error).toBeInstanceOf(UploadFileError);
      expect(bad.error.cause).toBeInstanceOf(InvalidDicomError);
      expect(bad.error.message).toContain('rtplan_truncated.dcm');
      expect(results[3]!.ok ? '' : (results[3] as { error: Error }).error.message).toContain(
        'does-not-exist.png',
      );
      const stored = await api.getResources({ channel: 'skip' }).toArray();
      expect(stored.map((r) => r.filename).sort()).toEqual(['MR_small.dcm', 'ok-1.png', 'ok-2.png']);
      expect(stored.find((r) => r.filename === 'MR_small.dcm')).toMatchObject({
        mimetype: 'application/dicom',
        modality: 'MR',
      });

      const raised = await api.uploadResources(inputs, { channel: 'raise' }).catch((e: unknown) => e);
      expect(raised).toBeInstanceOf(UploadFileError);
      expect((raised as Error).message).toContain('rtplan_truncated.dcm');
      expect(await api.getResources({ channel: 'raise' }).toArray()).toEqual([]);
    },
  );

  it('publishTo resolves the project first and adds the uploads to it', async () => {
    const project = await api.createProject('Target', 'd', []);
    const results = await api.uploadResources(
      [1, 2].map((i) => ({ name: `pub-${i}.png`, data: grayPng(2, 2, 20 + i) })),
      { publishTo: 'Target' },
    );
    const inProject = await api.getResources({ projectId: project.id, status: 'published' }).toArray();
    expect(inProject.map((r) => r.id).sort()).toEqual(results.map((r) => (r.ok ? r.id : '')).sort());
    const error = await api
      .uploadResources({ name: 'never.png', data: grayPng(2, 2) }, { publishTo: 'Unknown' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect(await resourcesNamed('never.png')).toEqual([]);
    const [published] = await api.uploadResources(
      { name: 'pub-only.png', data: grayPng(2, 2, 30) },
      { publish: true },
    );
    expect((await api.getResourcesByIds(published?.ok ? published.id : '')).status).toBe('published');
  });

  it('a resource that landed but cannot be published fails alone, with its id; the rest are published', async () => {
    let publishes = 0;
    // The second publish request is refused (400: not retried), whichever resource it is for.
    const proxy = await recordingProxy(server.url, {
      refuse: (r) => (r.url.endsWith('/publish') && ++publishes === 2 ? 400 : undefined),
    });
    try {
      const viaProxy = server.api({ rootUrl: proxy.url, concurrency: 1 });
      const inputs = [1, 2, 3].map((i) => ({ name: `half-${i}.png`, data: grayPng(2, 2, 50 + i) }));
      const results = await viaProxy.uploadResources(inputs, {
        publish: true,
        onError: 'skip',
        channel: 'half-published',
      });
      expect(results.map((r) => [r.source, r.ok])).toEqual([
        ['half-1.png', true],
        ['half-2.png', false],
        ['half-3.png', true],
      ]);
      const failed = results[1]!;
      if (failed.ok) throw new Error('unreachable');
      expect(failed.error).toBeInstanceOf(UploadFileError);
      expect(failed.error.cause).toMatchObject({ status: 400 });
      // It landed: the failure names the resource it could not publish.
      expect(failed.id).toMatch(/\S/);
      const stored = await api.getResources({ channel: 'half-published' }).toArray();
      expect(Object.fromEntries(stored.map((r) => [r.filename, r.status]))).toMatchObject({
        'half-1.png': 'published',
        'half-3.png': 'published',
      });
      expect(stored.find((r) => r.id === failed.id)?.status).not.toBe('published');

      // onError 'raise' throws that failure instead.
      publishes = 0;
      const raised = await viaProxy
        .uploadResources(inputs, { publish: true, channel: 'half-raised' })
        .catch((e: unknown) => e);
      expect(raised).toBeInstanceOf(UploadFileError);
      expect((raised as UploadFileError).cause).toMatchObject({ status: 400 });
    } finally {
      await proxy.close();
    }
  });

  it('segmentationFiles are attached to their resource after it is created', async () => {
    const results = await api.uploadResources(
      [
        { name: 'seg/img.png', data: grayPng(4, 4, 40) },
        { name: 'seg/plain.png', data: grayPng(4, 4, 41) },
      ],
      {
        segmentationFiles: [
          { files: [maskPng(4, 4, (x) => (x < 2 ? 1 : 2))], names: [{ 1: 'Left', 2: 'Right' }] },
          null,
        ],
      },
    );
    const [withSeg, withoutSeg] = results;
    if (!withSeg?.ok || !withoutSeg?.ok) throw new Error('upload failed');
    expect(withSeg.segmentationIds).toHaveLength(2);
    expect(withoutSeg.segmentationIds).toEqual([]);
    const annotations = await api.getAnnotations({ resourceId: withSeg.id }).toArray();
    expect(annotations.map((a) => a.name).sort()).toEqual(['Left', 'Right']);
  });

  it('transposeSegmentation applies to segmentationFiles; deprecated labels become tags with a warning', async () => {
    const warnings: string[] = [];
    const client = server.api({ onWarning: (m) => warnings.push(m) });
    // A [H=4, W=5] array with one pixel at row 1, column 3; the resource is 4 wide and 5 high.
    const data = new Uint8Array(4 * 5);
    data[1 * 5 + 3] = 1;
    const [result] = await client.uploadResources([{ name: 'seg/t.png', data: grayPng(4, 5, 42) }], {
      segmentationFiles: [{ files: { data, shape: [4, 5] }, names: 'Dot' }],
      transposeSegmentation: true,
      labels: ['old-style'],
    });
    if (!result?.ok) throw new Error('upload failed');
    expect(warnings).toEqual([expect.stringMatching(/"labels" option is deprecated/)]);
    expect((await api.getResourcesByIds(result.id)).tags).toEqual(['old-style']);
    const [id] = result.segmentationIds;
    const res = await request(`${server.url}/annotations/${result.id}/annotations/${id}/file`, {
      headers: { apikey: API_KEY },
    });
    const mask = decode(new Uint8Array(await res.body.arrayBuffer()));
    expect([mask.width, mask.height]).toEqual([4, 5]);
    const on = [...Array(20).keys()].filter((i) => mask.data[i * mask.channels] === 255);
    expect(on).toEqual([3 * 4 + 1]);
  });

  it('metadataFiles: JSON sent as the resource metadata, its modality used unless given', async () => {
    const sidecar = path.join(work, 'brain.json');
    await writeFile(sidecar, '{"Modality": "MR", "EchoTime": 0.03}');
    const broken = path.join(work, 'broken.json');
    await writeFile(broken, '{not json');
    const warnings: string[] = [];
    const client = server.api({ onWarning: (m) => warnings.push(m) });
    const results = await client.uploadResources(
      [
        { name: 'meta/a.png', data: grayPng(2, 2, 60) },
        { name: 'meta/b.png', data: grayPng(2, 2, 61) },
        { name: 'meta/c.png', data: grayPng(2, 2, 62) },
        { name: 'meta/d.png', data: grayPng(2, 2, 63) },
      ],
      { channel: 'meta', metadataFiles: [sidecar, { modality: 'CT', site: 'x' }, broken, null] },
    );
    const stored = await Promise.all(results.map((r) => api.getResourcesByIds(r.ok ? r.id : '')));
    expect(stored.map((r) => [r.modality ?? null, r.metadata])).toEqual([
      ['MR', { Modality: 'MR', EchoTime: 0.03 }],
      ['CT', { modality: 'CT', site: 'x' }],
      [null, {}],
      [null, {}],
    ]);
    expect(warnings.join('\n')).toContain('broken.json');
    const [explicit] = await client.uploadResources(
      { name: 'meta/e.png', data: grayPng(2, 2, 64) },
      {
        metadataFiles: [sidecar],
        modality: 'OT',
      },
    );
    expect((await api.getResourcesByIds(explicit?.ok ? explicit.id : '')).modality).toBe('OT');
    await expect(client.uploadResources('x', { metadataFiles: [] })).rejects.toThrow(/metadataFiles/);
  });

  it('reports progress per file with bytes', async () => {
    const files = [5, 6, 7].map((i) => ({ name: `prog-${i}.png`, data: grayPng(i, i, i) }));
    const events: UploadProgress[] = [];
    await api.uploadResources(files, { onProgress: (p) => events.push(p), concurrency: 2 });
    const total = files.reduce((s, f) => s + f.data.byteLength, 0);
    expect(events.map((e) => e.filesDone)).toEqual([1, 2, 3]);
    expect(events.every((e) => e.filesTotal === 3 && e.bytesTotal === total)).toBe(true);
    expect(events.at(-1)?.bytesDone).toBe(total);
    expect(events.every((e) => e.ok && e.error === undefined)).toBe(true);
    // A failed resource's event carries the error its result carries.
    const refused: UploadProgress[] = [];
    const [result] = await api.uploadResources([files[0]!], {
      mimetype: 'not a media type',
      onError: 'skip',
      onProgress: (p) => refused.push(p),
    });
    expect(result?.ok).toBe(false);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.ok).toBe(false);
    expect(refused[0]!.error).toBe(result && !result.ok ? result.error : undefined);
    expect(String(refused[0]!.error)).toMatch(/mimetype/);
    const boom = new Error('progress callback failed');
    const error = await api
      .uploadResources(files, {
        concurrency: 1,
        channel: 'boom',
        onProgress: () => {
          throw boom;
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBe(boom);
    expect(await api.getResources({ channel: 'boom' }).toArray()).toHaveLength(1);
  });

  it('onBytes reports file bytes as they are sent, ending at the total', async () => {
    const big = path.join(work, 'five-mb.bin');
    await writeFile(big, new Uint8Array(5 * 1024 * 1024).fill(3));
    const small = { name: 'bytes-small.png', data: grayPng(3, 3, 70) };
    const seen: number[] = [];
    let total = 0;
    await api.uploadResources([big, small], {
      channel: 'bytes',
      onBytes: (p) => {
        seen.push(p.bytesSent);
        total = p.bytesTotal;
      },
    });
    expect(total).toBe(5 * 1024 * 1024 + small.data.byteLength);
    expect(seen.at(-1)).toBe(total);
    // Several partial counts before the end, never going back (no retries here).
    expect(seen.filter((b) => b > 0 && b < 5 * 1024 * 1024).length).toBeGreaterThan(2);
    expect(seen.every((b, i) => i === 0 || b >= seen[i - 1]!)).toBe(true);
  });

  it('an aborted upload stops, throws APIUserAbortError and leaves no partial resource', async () => {
    const big = path.join(work, 'big.bin');
    await writeFile(big, new Uint8Array(64 * 1024 * 1024).fill(7));
    const controller = new AbortController();
    const inputs = [
      { name: 'abort/small.png', data: grayPng(2, 2, 50) },
      big,
      ...[1, 2, 3, 4].map((i) => ({ name: `abort/later-${i}.png`, data: grayPng(2, 2, 50 + i) })),
    ];
    const error = await api
      .uploadResources(inputs, {
        concurrency: 2,
        channel: 'abort',
        signal: controller.signal,
        onProgress: () => controller.abort(),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    const before = await api
      .uploadResources(inputs.slice(0, 1), { channel: 'abort', signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(before).toBeInstanceOf(APIUserAbortError);
    const stored = await api.getResources({ channel: 'abort' }).toArray();
    expect(stored.length).toBeLessThan(inputs.length);
    for (const r of stored) {
      expect(r.size).toBe(r.filename === 'big.bin' ? 64 * 1024 * 1024 : grayPng(2, 2, 50).byteLength);
    }
  });
});

describe('fault injection', () => {
  it('200 files with 10% 503/reset land exactly once', async () => {
    const faulty = await startTestServer({
      faults: { rate: 0.1, kinds: ['503', 'reset'], seed: 7, retryAfterSeconds: 0 },
    });
    try {
      const events: string[] = [];
      const client = faulty.api({ maxRetries: 8, log: (e) => events.push(JSON.stringify(e)) });
      const files = Array.from({ length: 200 }, (_, i) => ({
        name: `f/${String(i).padStart(3, '0')}.png`,
        data: grayPng(4, 4, i),
      }));
      const results = await client.uploadResources(files, { onError: 'skip' });
      expect(results.filter((r) => !r.ok)).toEqual([]);
      const stored = await client.getResources({ pageSize: 64 }).toArray();
      const names = stored.map((r) => r.filename).sort();
      expect(names).toEqual(files.map((f) => path.basename(f.name)).sort());
      expect(new Set(results.map((r) => (r.ok ? r.id : ''))).size).toBe(200);
      // Retries happened, were logged, and the key shows in no log line and no error.
      expect(events.some((e) => e.includes('"type":"retry"'))).toBe(true);
      const notFound = await client.getResourcesByIds('missing').catch((e: unknown) => e as Error);
      const shown = [...events, notFound.message, String(notFound.stack), JSON.stringify(notFound)].join(
        '\n',
      );
      expect(shown).not.toContain(API_KEY);
    } finally {
      await faulty.close();
    }
  });
});

describe('files on disk, bodies in reused buffers', () => {
  it('60 files of mixed sizes, with 10% 503/reset, are each stored byte for byte', async () => {
    const faulty = await startTestServer({
      faults: { rate: 0.1, kinds: ['503', 'reset'], seed: 11, retryAfterSeconds: 0 },
    });
    try {
      const dir = path.join(work, 'reused-buffers');
      await mkdir(dir);
      // Sizes that share a buffer, need a bigger one, or stream in chunks (over 1 MiB).
      const sizes = [1, 70_000, 65_000, 300_000, 290_000, 1_048_000, 1_200_000, 0, 5];
      const files = await Promise.all(
        Array.from({ length: 60 }, async (_, i) => {
          const file = path.join(dir, `f${String(i).padStart(2, '0')}.bin`);
          const bytes = randomBytes(sizes[i % sizes.length]!);
          await writeFile(file, bytes);
          return { file, bytes };
        }),
      );
      const client = faulty.api({ maxRetries: 8, concurrency: 6 });
      const results = await client.uploadResources(
        files.map((f) => f.file),
        { onError: 'skip' },
      );
      expect(results.filter((r) => !r.ok)).toEqual([]);
      for (const [i, result] of results.entries()) {
        const stored = await client.downloadResourceFile(result.ok ? result.id : '', { autoConvert: false });
        expect(Buffer.from(stored.bytes!).equals(files[i]!.bytes), path.basename(files[i]!.file)).toBe(true);
      }
    } finally {
      await faulty.close();
    }
  });
});

/**
 * Plans three files in a new folder: `small.bin` (1,000 bytes, its body laid out whole),
 * `big.bin` (1.5 MB, streamed) and `steady.bin`, which the tests leave alone.
 */
async function plannedTrio(folder: string) {
  const dir = path.join(work, folder);
  await mkdir(dir);
  const [small, big, steady] = ['small.bin', 'big.bin', 'steady.bin'].map((name) => path.join(dir, name));
  await writeFile(small!, randomBytes(1000));
  await writeFile(big!, randomBytes(1_500_000));
  await writeFile(steady!, randomBytes(2000));
  return { small: small!, big: big!, plan: await planUpload([small!, big!, steady!]) };
}

/** The errors of the trio's two changed files, once it is checked that they failed and steady.bin landed. */
function trioErrors(results: readonly UploadResult[]) {
  expect(results.map((r) => [path.basename(r.source), r.ok])).toEqual([
    ['small.bin', false],
    ['big.bin', false],
    ['steady.bin', true],
  ]);
  return results.slice(0, 2).map((r) => (r.ok ? undefined : r.error));
}

describe('a file that changes between planning and sending', () => {
  it('fails on its own, named, whether its body is laid out whole or streamed; the others land', async () => {
    const { small, big, plan } = await plannedTrio('changing');
    await writeFile(small, randomBytes(1200)); // grew: whole-body path
    await writeFile(big, randomBytes(1_400_000)); // shrank: streamed path
    const results = await api.uploadResources(plan, { channel: 'changing', onError: 'skip' });
    const [grew, shrank] = trioErrors(results);
    expect(grew).toBeInstanceOf(UploadFileError);
    expect(grew?.message).toMatch(
      /small\.bin changed while uploading: expected 1000 bytes, read more than 1000/,
    );
    expect(grew?.message).not.toMatch(/outcome unknown/);
    expect(shrank?.message).toMatch(/big\.bin changed while uploading: expected 1500000 bytes, read 1400000/);
    expect(await resourcesNamed('small.bin')).toEqual([]);
    expect(await resourcesNamed('big.bin')).toEqual([]);
  });
});

describe('a file that cannot be read when its turn comes', () => {
  it('fails on its own with ContentReadError, sent once and not reported as an unknown outcome', async () => {
    const { small, big, plan } = await plannedTrio('vanishing');
    await rm(small);
    await rm(big);
    await mkdir(big); // a folder where the file was: a different failure than a missing file
    const events: string[] = [];
    const client = server.api({ log: (e) => events.push(`${e.type} ${e.method} ${e.url}`) });
    const results = await client.uploadResources(plan, { channel: 'vanishing', onError: 'skip' });
    const [missing, folder] = trioErrors(results);
    expect(missing?.cause).toBeInstanceOf(ContentReadError);
    expect(missing?.message).toMatch(/small\.bin could not be read while uploading: ENOENT/);
    expect(folder?.cause).toBeInstanceOf(ContentReadError);
    expect(folder?.message).toMatch(/big\.bin could not be read while uploading: EISDIR/);
    for (const error of [missing, folder]) expect(error?.message).not.toMatch(/outcome unknown/);
    // One create per file: nothing was repeated.
    expect(events.filter((e) => e.startsWith('request POST'))).toHaveLength(3);
  });
});

describe('fault injection on segmentations', () => {
  it('40 mask frames with 10% 503/reset become 40 annotations, each with its mask', async () => {
    const faulty = await startTestServer({
      faults: { rate: 0.1, kinds: ['503', 'reset'], seed: 11, retryAfterSeconds: 0 },
    });
    try {
      const client = faulty.api({ maxRetries: 8 });
      const [resource] = await client.uploadResources({ name: 'seg-faults.png', data: grayPng(6, 4, 1) });
      if (!resource?.ok) throw new Error('upload failed');
      const F = 40;
      const data = new Uint8Array(4 * 6 * F);
      for (let f = 0; f < F; f++) data[(f % 24) * F + f] = 1; // frame f: pixel number f % 24
      const ids = await client.uploadSegmentations(resource.id, { data, shape: [4, 6, F] }, { name: 'Dot' });
      expect(ids).toHaveLength(F);
      const stored = await client.getAnnotations({ resourceId: resource.id, pageSize: 16 }).toArray();
      expect(stored.map((a) => a.index).sort((a, b) => a! - b!)).toEqual([...Array(F).keys()]);
      expect(stored.every((a) => typeof a.file === 'string' && a.file !== '')).toBe(true);
    } finally {
      await faulty.close();
    }
  });
});

describe('exactly once when responses are lost', () => {
  it('an upload whose response is lost is retried with the same key and lands once', async () => {
    const proxy = await lossyProxy(server.url, (req) => req.method === 'POST' && req.url === '/resources');
    try {
      const client = new APIHandler({
        rootUrl: proxy.url,
        apiKey: API_KEY,
        configFile: null,
        backoff: { baseDelayMs: 10, maxDelayMs: 50 },
      });
      const files = Array.from({ length: 12 }, (_, i) => ({
        name: `lost/${i}.png`,
        data: grayPng(3, 3, 100 + i),
      }));
      const results = await client.uploadResources(files, { channel: 'lost', concurrency: 4 });
      await client.close();
      expect(proxy.dropped).toBe(12);
      // Every file was sent twice, yet exists once, with the id the client reports.
      expect(proxy.forwarded.filter((f) => f === 'POST /resources')).toHaveLength(24);
      const stored = await api.getResources({ channel: 'lost' }).toArray();
      expect(stored).toHaveLength(12);
      expect(results.map((r) => (r.ok ? r.id : '')).sort()).toEqual(stored.map((r) => r.id).sort());
    } finally {
      await proxy.close();
    }
  });

  it('sends a unit again under its key when its outcome is unknown and the client retries no more itself', async () => {
    // The proxy stores each upload on the server, then cuts the connection before the answer; the
    // HTTP client is told not to retry, so the create ends with an unknown outcome and uploadResources
    // itself repeats it under the same Idempotency-Key.
    const proxy = await lossyProxy(server.url, (req) => req.method === 'POST' && req.url === '/resources');
    try {
      const client = new APIHandler({ rootUrl: proxy.url, apiKey: API_KEY, configFile: null, maxRetries: 0 });
      const results = await client.uploadResources([{ name: 'unknown/one.png', data: grayPng(3, 3, 77) }], {
        channel: 'unknown-outcome',
      });
      await client.close();
      expect(proxy.dropped).toBe(1);
      expect(proxy.forwarded.filter((f) => f === 'POST /resources')).toHaveLength(2);
      const stored = await api.getResources({ channel: 'unknown-outcome' }).toArray();
      expect(stored).toHaveLength(1);
      expect(results).toHaveLength(1);
      const [result] = results;
      expect(result?.ok).toBe(true);
      expect(result?.ok && result.id).toBe(stored[0]?.id);
      expect(result?.ok && result.retriedUnknownOutcome).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('annotations, projects and users whose response is lost are retried with their key and exist once', async () => {
    const [resource] = await api.uploadResources({ name: 'once.png', data: grayPng(2, 2, 77) });
    const id = resource?.ok ? resource.id : '';
    const creating = new Set([`/annotations/${id}/annotations`, '/projects', '/users']);
    const proxy = await lossyProxy(server.url, (req) => req.method === 'POST' && creating.has(req.url ?? ''));
    try {
      const client = new APIHandler({
        rootUrl: proxy.url,
        apiKey: API_KEY,
        configFile: null,
        backoff: { baseDelayMs: 10, maxDelayMs: 50 },
      });
      const [annotation] = await client.addAnnotations(id, 'only-once');
      const project = await client.createProject('Lost Once', 'd', [id]);
      const user = await client.createUser('lost.once@example.com');
      await client.close();
      expect(proxy.dropped).toBe(3);
      expect((await api.getAnnotations({ resourceId: id }).toArray()).map((a) => a.id)).toEqual([annotation]);
      expect((await api.getProjects()).filter((p) => p.name === 'Lost Once').map((p) => p.id)).toEqual([
        project.id,
      ]);
      expect((await api.getUsers()).filter((u) => u.email === user.email)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
