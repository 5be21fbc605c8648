import { existsSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseDicom, planAssembly } from '@datamint/dicom';
import { writeNifti } from '@datamint/segmentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type APIHandler,
  JournalError,
  planUpload,
  UnreadableFileError,
  UploadFileError,
  type UploadPlan,
} from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import { recordingProxy } from './helpers/recording-proxy';
import { startTestServer, type TestServer } from './helpers/server';

let server: TestServer;
let api: APIHandler;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  work = await mkdtemp(path.join(tmpdir(), 'dm-plan-'));
});
afterAll(async () => {
  await server?.close();
  // A folder a test made unreadable may resist removal; the scratch folder is then left, not a failure.
  if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
});

/** A tree with one 5-slice series, two PNGs, a system file, a dangling link and a NIfTI sidecar pair. */
async function tree(name: string): Promise<string> {
  const root = path.join(work, name);
  const series = path.join(dataDir, 'dicom/series/pydicom_ct5n');
  await mkdir(path.join(root, 'ct'), { recursive: true });
  for (const f of await readdir(series)) await copyFile(path.join(series, f), path.join(root, 'ct', f));
  await writeFile(path.join(root, 'a.png'), grayPng(4, 4, 1));
  await writeFile(path.join(root, 'b.png'), grayPng(4, 4, 2));
  await writeFile(path.join(root, 'Thumbs.db'), 'litter');
  await symlink(path.join(root, 'gone.png'), path.join(root, 'link.png'));
  return root;
}

describe('planUpload', () => {
  it.skipIf(!requireData())(
    'is plain data: series grouped, files typed, problems and skips listed',
    async () => {
      const root = await tree('plain');
      const plan = await planUpload([root], { recursive: true, anonymize: true });
      expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
      expect(plan.units.map((u) => [u.kind, u.files.length, u.mimetype, u.anonymize])).toEqual([
        ['file', 1, 'image/png', false],
        ['file', 1, 'image/png', false],
        ['series', 5, 'application/dicom', true],
      ]);
      const series = plan.units[2]!;
      expect(series.series?.seriesInstanceUid).toMatch(/^[\d.]+$/);
      expect(new Set(plan.units.map((u) => u.id)).size).toBe(3);
      expect(plan.skipped).toEqual([{ source: path.join(root, 'Thumbs.db'), reason: 'system file' }]);
      expect(plan.problems).toHaveLength(1);
      expect(plan.problems[0]).toMatchObject({
        source: path.join(root, 'link.png'),
        error: { name: 'UnreadableFileError', code: 'ENOENT' },
      });
      // The same inputs plan to the same unit ids (journals and resumed runs depend on it).
      const again = await planUpload([root], { recursive: true, anonymize: true });
      expect(again.units.map((u) => u.id)).toEqual(plan.units.map((u) => u.id));
    },
  );

  it.skipIf(!requireData())(
    'asks a mask resolver once per file; a series gets a shared mask once; a filtered sidecar still pairs',
    async () => {
      const root = await tree('masks');
      await writeFile(
        path.join(root, 'vol.nii.gz'),
        gzipSync(writeNifti({ data: new Uint8Array(8), shape: [2, 2, 2] })),
      );
      await writeFile(path.join(root, 'vol.json'), '{"Modality": "MR"}');
      // A volume mask of the 16 x 16 x 5 series: planning checks that it fits.
      const mask = path.join(work, 'masks-mask.nii');
      await writeFile(mask, writeNifti({ data: new Uint8Array(16 * 16 * 5), shape: [16, 16, 5] }));
      const asked: string[] = [];
      const plan = await planUpload([root], {
        recursive: true,
        jsonSidecars: true,
        excludeExtensions: ['json'],
        segmentationsBySource: async (source) => {
          asked.push(source);
          return source.includes(`${path.sep}ct${path.sep}`) ? mask : undefined;
        },
      });
      expect(asked).toHaveLength(8);
      const series = plan.units.find((u) => u.kind === 'series')!;
      expect(series.segmentations.map((t) => [t.input, t.memberFrame])).toEqual([[mask, 0]]);
      const volume = plan.units.find((u) => u.files[0]!.source.endsWith('vol.nii.gz'))!;
      expect(volume.metadata).toBe(path.join(root, 'vol.json'));
      expect(plan.skipped.map((s) => s.source)).not.toContain(path.join(root, 'vol.json'));
    },
  );

  it.skipIf(!requireData())(
    'reads DICOM headers from the head of each file, yet plans what whole files say',
    async () => {
      // Real files of every kind: long private headers (read further than the first read), trailing
      // data after the pixels, compressed and deflated files, truncated and malformed ones.
      const root = path.join(dataDir, 'dicom');
      const plan = await planUpload([root], { recursive: true });
      const dicoms = plan.units
        .filter((u) => u.mimetype === 'application/dicom')
        .flatMap((u) => u.files.map((f) => ({ position: f.position, source: f.source, ok: true })));
      const invalid = plan.problems
        .filter((p) => p.error.name === 'InvalidDicomError')
        .map((p) => ({ position: p.position, source: p.source, ok: false }));
      expect(invalid.length).toBeGreaterThanOrEqual(2);
      for (const f of [...dicoms, ...invalid]) {
        let parses = true;
        try {
          parseDicom(readFileSync(f.source), { fileName: f.source });
        } catch {
          parses = false;
        }
        expect([f.source, parses]).toEqual([f.source, f.ok]);
      }
      // Series as whole files group them, a series with an unreadable member left as it is.
      const all = [...dicoms, ...invalid].sort((a, b) => a.position - b.position);
      const whole = await planAssembly(
        all.map((f) => ({ name: f.source, bytes: new Uint8Array(readFileSync(f.source)) })),
      );
      const broken = new Set(invalid.map((f) => f.source));
      const expected = whole.groups
        .map((g) => g.slices.map((s) => s.name))
        .filter((names) => !names.some((n) => broken.has(n)));
      const series = plan.units.filter((u) => u.kind === 'series').map((u) => u.files.map((f) => f.source));
      expect(series.length).toBeGreaterThan(3);
      expect(series.sort()).toEqual(expected.sort());
    },
  );

  it.skipIf(!requireData())(
    'uploads the broken DICOMs pydicom reads: pixel data cut short with a note, a bad NumberOfFrames as it is',
    async () => {
      const truncated = path.join(dataDir, 'dicom/broken/MR_truncated.dcm');
      const badFrames = path.join(dataDir, 'dicom/broken/badVR.dcm');
      const plan = await planUpload([truncated, badFrames], { anonymize: true });
      expect(plan.problems).toEqual([]);
      expect(plan.units.map((u) => [u.files[0]!.source, u.note])).toEqual([
        [
          truncated,
          'PixelData declares 8192 bytes but the file ends 8130 bytes into it: uploaded as is, its frames cannot all be read',
        ],
        [badFrames, undefined],
      ]);
      const results = await api.uploadResources(plan, { channel: 'pydicom-readable' });
      expect(results.map((r) => r.ok)).toEqual([true, true]);
      for (const [i, result] of results.entries()) {
        if (!result.ok) throw new Error('unreachable');
        const stored = parseDicom(
          await api.downloadResourceFile(result.id, { autoConvert: false }).then((f) => f.bytes!),
        );
        const original = parseDicom(readFileSync(i === 0 ? truncated : badFrames));
        // Anonymized on the way, the pixel data as the file had it.
        expect(stored.string('PatientID')).not.toBe(original.string('PatientID'));
        expect(stored.pixelDataLength).toBe(original.pixelDataLength);
      }
      const [cut, frames] = results.map((r) => (r.ok ? r.id : ''));
      expect((await api.getResourcesByIds(frames!)).mimetype).toBe('application/dicom');
      expect((await api.getResourcesByIds(cut!)).mimetype).toBe('application/dicom');
    },
  );

  it('rejects contradictory filters naming the field', async () => {
    await expect(
      planUpload([work], { includeExtensions: ['png'], excludeExtensions: ['dcm'] }),
    ).rejects.toThrow(/includeExtensions/);
  });

  it.skipIf(!requireData())('a plan read back from JSON runs; unreadable files fail alone', async () => {
    const root = await tree('run');
    const plan = JSON.parse(
      JSON.stringify(await planUpload([root], { recursive: true, anonymize: true })),
    ) as UploadPlan;
    const results = await api.uploadResources(plan, { onError: 'skip', channel: 'from-plan' });
    expect(results.map((r) => [path.basename(r.source), r.ok])).toEqual([
      ['a.png', true],
      ['b.png', true],
      ['2062.dcm', true],
      ['2392.dcm', true],
      ['2693.dcm', true],
      ['3023.dcm', true],
      ['3353.dcm', true],
      ['link.png', false],
    ]);
    const failed = results[7]!;
    if (failed.ok) throw new Error('unreachable');
    expect(failed.error).toBeInstanceOf(UploadFileError);
    expect(failed.error.cause).toBeInstanceOf(UnreadableFileError);
    const seriesIds = new Set(results.slice(2, 7).map((r) => (r.ok ? r.id : '')));
    expect(seriesIds.size).toBe(1);
    const stored = await api.getResources({ channel: 'from-plan' }).toArray();
    expect(stored).toHaveLength(3);
    expect(results.every((r) => !r.ok || plan.units.some((u) => u.id === r.unitId))).toBe(true);
  });
});

describe('planUpload at scale', () => {
  it('plans 150,000 files without passing them all to one call (which overflows the stack)', async () => {
    const count = 150_000;
    const data = new Uint8Array([1, 2, 3]);
    const inputs = Array.from({ length: count }, (_, i) => ({ name: `f${i}.bin`, data }));
    const plan = await planUpload(inputs, { assembleDicoms: false });
    expect(plan.units).toHaveLength(count);
    expect(plan.problems).toEqual([]);
    expect(plan.units[count - 1]!.files[0]!.source).toBe(`f${count - 1}.bin`);
  }, 60_000);
});

describe('journal', () => {
  it.skipIf(!requireData())('is readable by its owner only: it holds the anonymizer key', async () => {
    const root = await tree('private');
    const journal = path.join(work, 'private', 'journals', 'run.jsonl');
    const plan = await planUpload([root], { recursive: true, anonymize: true });
    await api.uploadResources(plan, { onError: 'skip', channel: 'private', journal, anonymize: true });
    expect(readFileSync(journal, 'utf8')).toContain('"state":"anonymizer"');
    expect(statSync(journal).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(journal)).mode & 0o777).toBe(0o700);
  });

  it.skipIf(!requireData())(
    'a journal folder that cannot be made fails the run at once, before any upload',
    async () => {
      const root = await tree('blocked');
      await writeFile(path.join(work, 'afile'), 'x');
      const plan = await planUpload([root], { recursive: true });
      const journals = [path.join(work, 'afile', 'run.jsonl')];
      // A folder that refuses children: Node's recursive mkdir would loop there for ever.
      if (existsSync('/proc/self')) journals.push('/proc/datamint/run.jsonl');
      for (const journal of journals) {
        const error = await api
          .uploadResources(plan, { onError: 'skip', channel: 'blocked', journal })
          .catch((e: unknown) => e);
        expect(error, journal).toMatchObject({ name: 'DirectoryCreateError' });
        expect((error as Error).message).toContain(journal.startsWith('/proc') ? '/proc/datamint' : 'afile');
      }
      expect(await api.getResources({ channel: 'blocked' }).toArray()).toEqual([]);
    },
  );

  it.skipIf(!requireData())('a second run with the same journal sends only what did not land', async () => {
    const root = await tree('journal');
    const journal = path.join(work, 'journal.jsonl');
    const plan = await planUpload([root], { recursive: true });
    // Stop after the first unit, as a crash would.
    const controller = new AbortController();
    await api
      .uploadResources(plan, {
        onError: 'skip',
        channel: 'journal',
        journal,
        concurrency: 1,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      })
      .catch(() => undefined);
    const first = await api.getResources({ channel: 'journal' }).toArray();
    expect(first).toHaveLength(1);
    // A unit announced but never confirmed (a kill after the request went out) keeps its key.
    const lines = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.state === 'done')).toHaveLength(1);

    const results = await api.uploadResources(plan, { onError: 'skip', channel: 'journal', journal });
    expect(results.filter((r) => r.ok && r.resumed)).toHaveLength(1);
    const stored = await api.getResources({ channel: 'journal' }).toArray();
    expect(stored).toHaveLength(3);
    const ids = results.flatMap((r) => (r.ok ? [r.id] : []));
    expect(new Set(ids)).toEqual(new Set(stored.map((r) => r.id)));
  });

  it.skipIf(!requireData())(
    'a unit that landed but was never recorded is re-sent with its original key and not duplicated',
    async () => {
      const root = await tree('unknown');
      const journal = path.join(work, 'unknown.jsonl');
      const plan = await planUpload([root], { recursive: true, anonymize: true });
      const proxy = await recordingProxy(server.url);
      try {
        const viaProxy = server.api({ rootUrl: proxy.url });
        const first = await viaProxy.uploadResources(plan, { onError: 'skip', channel: 'unknown', journal });
        const firstIds = first.flatMap((r) => (r.ok ? [r.id] : []));
        // Forget every outcome, as a kill after the requests went out and before the answers came would.
        const lines = readFileSync(journal, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { unit: string; state: string; key?: string });
        const started = lines.filter((l) => l.state === 'started');
        expect(started).toHaveLength(plan.units.length);
        const kept = lines.filter((l) => l.state !== 'done' && l.state !== 'published');
        await writeFile(journal, `${kept.map((l) => JSON.stringify(l)).join('\n')}\n`);
        proxy.take();

        const again = await viaProxy.uploadResources(plan, { onError: 'skip', channel: 'unknown', journal });
        // The dangling link is the plan's own problem; every unit was sent again, none taken as done.
        expect(again.filter((r) => !r.ok).map((r) => path.basename(r.source))).toEqual(['link.png']);
        expect(again.filter((r) => r.ok && r.resumed)).toEqual([]);
        // Each create went out again under the key the journal recorded for its unit...
        const creates = proxy.take().filter((r) => r.method === 'POST' && /\/resources(\?|$)/.test(r.url));
        expect(creates.map((r) => r.headers['idempotency-key']).sort()).toEqual(
          started.map((l) => l.key).sort(),
        );
        // ...so the server answered with what it stored the first time: every file exactly once.
        const stored = await api.getResources({ channel: 'unknown' }).toArray();
        expect(stored).toHaveLength(plan.units.length);
        expect(new Set(again.flatMap((r) => (r.ok ? [r.id] : [])))).toEqual(new Set(firstIds));
      } finally {
        await proxy.close();
      }
    },
  );

  it('a journal that is not ours is a JournalError naming the file and line', async () => {
    const journal = path.join(work, 'bad.jsonl');
    await writeFile(journal, 'garbage\n{"unit":"x","key":"k","state":"started"}\n');
    await writeFile(path.join(work, 'one.png'), grayPng(2, 2, 1));
    const error = await api
      .uploadResources([path.join(work, 'one.png')], { journal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalError);
    expect((error as Error).message).toContain('bad.jsonl, line 1');
  });
});
