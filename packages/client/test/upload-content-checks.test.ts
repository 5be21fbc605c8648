import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeNifti } from '@datamint/segmentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIHandler, FileContentError, planUpload, UploadFileError } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import { startTestServer, type TestServer } from './helpers/server';

const hasData = requireData();
let server: TestServer;
let api: APIHandler;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  work = await mkdtemp(path.join(tmpdir(), 'dm-content-'));
});
afterAll(async () => {
  await server?.close();
  // A folder a test made unreadable may resist removal; the scratch folder is then left, not a failure.
  if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
});

async function place(name: string, bytes: Uint8Array | string): Promise<string> {
  const file = path.join(work, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

const noise = new TextEncoder().encode('plain text that is neither an image nor a volume, just words');

describe('planUpload checks that a file is what its name says', () => {
  it.skipIf(!hasData)('fails files whose names promise a signed type their bytes do not have', async () => {
    const notNifti = path.join(dataDir, 'nifti/broken/not-nifti.nii');
    const badSignature = path.join(dataDir, 'png/broken/xs1n0g01.png');
    const notGzip = await place('volume.nii.gz', noise);
    const notJpeg = await place('photo.jpg', noise);
    const plan = await planUpload([notNifti, badSignature, notGzip, notJpeg]);
    expect(plan.units).toEqual([]);
    expect(plan.problems.map((p) => [p.source, p.error.name, p.error.message])).toEqual([
      [
        notNifti,
        'FileContentError',
        expect.stringMatching(
          /^named like a NIfTI file, but does not start like one \(first bytes: [0-9a-f ]+\)$/,
        ),
      ],
      [
        badSignature,
        'FileContentError',
        'named like a PNG file, but does not start like one (first bytes: 09 50 4e 47 0d 0a 1a 0a)',
      ],
      [
        notGzip,
        'FileContentError',
        'named like a compressed NIfTI file, but is not gzip data (first bytes: 70 6c 61 69 6e 20 74 65)',
      ],
      [
        notJpeg,
        'FileContentError',
        'named like a JPEG file, but does not start like one (first bytes: 70 6c 61 69 6e 20 74 65)',
      ],
    ]);
  });

  it('lets the content decide a type it proves, and leaves names without a promise alone', async () => {
    const pngNamedJpeg = await place('really-a-png.jpg', grayPng(4, 4, 1));
    const notes = await place('notes.txt', noise);
    const typed = await place('typed.png', noise);
    const plan = await planUpload([pngNamedJpeg, notes]);
    expect(plan.problems).toEqual([]);
    expect(plan.units.map((u) => u.mimetype)).toEqual(['image/png', 'text/plain']);
    // A type the caller gives is the caller's word: nothing is checked against it.
    const given = await planUpload([typed], { mimetype: 'image/png' });
    expect(given.problems).toEqual([]);
    expect(given.units.map((u) => u.mimetype)).toEqual(['image/png']);
  });

  it('reports the file as a FileContentError and uploads the rest', async () => {
    const good = await place('fine.png', grayPng(4, 4, 2));
    const bad = await place('broken.png', noise);
    const results = await api.uploadResources([good, bad], { onError: 'skip', channel: 'content' });
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    const failed = results[1]!;
    if (failed.ok) throw new Error('expected a failure');
    expect(failed.error).toBeInstanceOf(UploadFileError);
    expect(failed.error.cause).toBeInstanceOf(FileContentError);
    expect((failed.error.cause as FileContentError).source).toBe(bad);
    expect(failed.error.message).toContain('named like a PNG file, but does not start like one');
    const stored = await api.getResources({ channel: 'content' }).toArray();
    expect(stored.map((r) => r.filename)).toEqual(['fine.png']);
  });
});

describe.skipIf(!hasData)('planUpload leaves a DICOMDIR out', () => {
  it('skips the DIRFILE of a scanner export and assembles the series beside it', async () => {
    const source = path.join(dataDir, 'dicom/series/dcm_qa_ct_philips_S2010');
    const dir = path.join(work, 'philips');
    await mkdir(dir);
    for (const f of await readdir(source)) await copyFile(path.join(source, f), path.join(dir, f));
    const plan = await planUpload([dir]);
    expect(plan.skipped).toEqual([
      { source: path.join(dir, 'DIRFILE'), reason: 'dicom directory', position: expect.any(Number) },
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.units.map((u) => [u.kind, u.files.length])).toEqual([['series', 28]]);
  });

  it('says, through onWarning, which files the v1 upload left out without a result', async () => {
    const dir = path.join(work, 'left-out');
    await mkdir(dir);
    await copyFile(
      path.join(dataDir, 'dicom/series/dcm_qa_ct_philips_S2010/DIRFILE'),
      path.join(dir, 'DIRFILE'),
    );
    const report = path.join(dir, 'report.dcm');
    await copyFile(path.join(dataDir, 'dicom/structure/reportsi.dcm'), report);
    await copyFile(path.join(dataDir, 'dicom/structure/reportsi.dcm'), path.join(dir, 'report2.dcm'));
    await writeFile(path.join(dir, 'fine.png'), grayPng(4, 4, 1));
    const warnings: string[] = [];
    const warned = server.api({ onWarning: (m) => warnings.push(m) });
    const results = await warned.uploadResources([dir], { channel: 'left-out', discardDicomReports: true });
    expect(results.map((r) => [path.basename(r.source), r.ok])).toEqual([['fine.png', true]]);
    expect(warnings).toEqual([
      `${path.join(dir, 'DIRFILE')}: DICOMDIR (an index of the files of a medium, no image of its own) not uploaded (no result is returned for it)`,
      `${report} and 1 more: DICOM report (Modality SR, DOC, KO, PR or ESR) not uploaded; pass discardDicomReports: false to upload it (no result is returned for them)`,
    ]);
    // A caller who planned first has the skipped files in the plan: nothing is said twice.
    warnings.length = 0;
    const plan = await planUpload([dir], { discardDicomReports: true });
    expect(plan.skipped.map((s) => s.reason).sort()).toEqual([
      'dicom directory',
      'dicom report',
      'dicom report',
    ]);
    await warned.uploadResources(plan, { channel: 'left-out-planned' });
    expect(warnings).toEqual([]);
  });
});

describe('planUpload lets legitimate files through whatever the signature table lacks', () => {
  it('takes BigTIFF, JPEG 2000 named .jpg, a gzipped .nii and a NIfTI with an odd magic byte', async () => {
    const bigTiff = await place('slide.tif', new Uint8Array([0x49, 0x49, 0x2b, 0x00, 8, 0, 0, 0, ...noise]));
    const jp2 = await place(
      'scan.jpg',
      new Uint8Array([0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a, ...noise]),
    );
    const codestream = await place('raw.jpg', new Uint8Array([0xff, 0x4f, 0xff, 0x51, ...noise]));
    const volume = writeNifti({ data: new Uint8Array(24), shape: [2, 3, 4] });
    const gzipped = await place('volume.nii', gzipSync(volume));
    const odd = volume.slice();
    odd[347] = 0x20; // `n+1 ` where the standard has `n+1\0`: NIfTI readers take it
    const oddMagic = await place('odd.nii', odd);
    const plan = await planUpload([bigTiff, jp2, codestream, gzipped, oddMagic]);
    expect(plan.problems).toEqual([]);
    expect(plan.units.map((u) => u.mimetype)).toEqual([
      'image/tiff',
      'image/jp2',
      'image/jp2',
      'application/x-nifti',
      'application/x-nifti',
    ]);
  });
});
