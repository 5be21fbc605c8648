import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeNifti } from '@datamint/segmentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIHandler, planUpload, SegmentationError, UploadFileError } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import { startTestServer, type TestServer } from './helpers/server';

let server: TestServer;
let api: APIHandler;
let work: string;
const hasData = requireData();
const ct5n = path.join(dataDir, 'dicom/series/pydicom_ct5n');
const slices = hasData ? readdirSync(ct5n).map((f) => path.join(ct5n, f)) : [];

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  work = await mkdtemp(path.join(tmpdir(), 'dm-mask-fit-'));
});
afterAll(async () => {
  await server?.close();
  // A folder a test made unreadable may resist removal; the scratch folder is then left, not a failure.
  if (work) await rm(work, { recursive: true, force: true }).catch(() => undefined);
});

/** A uint8 NIfTI label volume of `columns` x `rows` x `frames`, written to `name` (gzip for .gz). */
async function niftiMask(name: string, columns: number, rows: number, frames: number): Promise<string> {
  const data = new Uint8Array(columns * rows * frames).fill(1);
  const bytes = writeNifti({ data, shape: [columns, rows, frames] });
  const file = path.join(work, name);
  await writeFile(file, name.endsWith('.gz') ? gzipSync(bytes) : bytes);
  return file;
}

/** A 20-column, 10-row PNG image. */
async function widePng(name: string): Promise<string> {
  const file = path.join(work, name);
  await writeFile(file, grayPng(20, 10, 3));
  return file;
}

const mask = (rows: number, columns: number, frames?: number) => ({
  data: new Uint8Array(rows * columns * (frames ?? 1)).fill(1),
  shape: (frames === undefined ? [rows, columns] : [rows, columns, frames]) as [number, number],
});

describe('planUpload checks that masks fit their images', () => {
  it('keeps an image whose mask has its size, and fails one whose mask does not, before anything is sent', async () => {
    const image = await widePng('wide.png');
    const other = await widePng('other.png');
    const plan = await planUpload([image, other], {
      segmentationFiles: [mask(10, 20), mask(12, 20)],
    });
    expect(plan.units.map((u) => u.files[0]!.source)).toEqual([image]);
    expect(plan.problems).toEqual([
      {
        position: 1,
        inputIndex: 1,
        source: other,
        error: {
          name: 'SegmentationError',
          message: 'mask mask array is 20 x 12 (columns x rows) but the image is 20 x 10',
        },
      },
    ]);
  });

  it('says when width and height are swapped, and accepts the mask with transposeSegmentation', async () => {
    const image = await widePng('swapped.png');
    const swapped = await planUpload([image], { segmentationFiles: [mask(20, 10)] });
    expect(swapped.problems[0]!.error.message).toBe(
      'mask mask array is 10 x 20 (columns x rows) but the image is 20 x 10; width and height are swapped: toggle the transpose option (transposeSegmentation, --transpose-segmentation)',
    );
    const transposed = await planUpload([image], {
      segmentationFiles: [mask(20, 10)],
      transposeSegmentation: true,
    });
    expect(transposed.problems).toEqual([]);
    expect(transposed.units).toHaveLength(1);
  });

  it.skipIf(!hasData)(
    'fails each slice given a volume mask when slices are not assembled, and fits the volume to the series',
    async () => {
      const volume = await niftiMask('ct5n-mask.nii.gz', 16, 16, 5);
      const bySource = () => volume;
      const assembled = await planUpload(slices, { segmentationsBySource: bySource });
      expect(assembled.problems).toEqual([]);
      expect(assembled.units.map((u) => [u.kind, u.segmentations.length])).toEqual([['series', 1]]);

      const apart = await planUpload(slices, { segmentationsBySource: bySource, assembleDicoms: false });
      expect(apart.units).toEqual([]);
      expect(apart.problems.map((p) => p.source)).toEqual(slices);
      expect(apart.problems[0]!.error.message).toBe(
        `mask ${volume} has labels on 5 frames but the image has 1: a volume mask goes with its whole series, assembled into one resource, not with one slice`,
      );

      const tooDeep = await niftiMask('ct5n-deep.nii', 16, 16, 6);
      const deep = await planUpload(slices, { segmentationsBySource: () => tooDeep });
      expect(deep.problems).toHaveLength(5);
      expect(deep.problems[0]!.error.message).toBe(
        `mask ${tooDeep} has labels on 6 frames but the assembled series (5 frames) has 5`,
      );
    },
  );

  it.skipIf(!hasData)('checks frame indexes against the frames the image has', async () => {
    const frameMask = await niftiMask('one-frame.nii', 16, 16, 1);
    const onSeries = (frameIndex: number) =>
      planUpload(slices, {
        segmentationsBySource: (source) =>
          source === slices[0] ? { files: [frameMask], frameIndex: [frameIndex] } : undefined,
      });
    expect((await onSeries(4)).problems).toEqual([]);
    const beyond = await onSeries(5);
    expect(beyond.units).toEqual([]);
    expect(beyond.problems[0]!.error.message).toBe(
      `mask ${frameMask} is placed on frame 5, but the assembled series (5 frames) has 5 frames`,
    );
  });

  it('reads the size of NIfTI images, compressed or not, as the server does', async () => {
    const scan = await niftiMask('scan.nii', 8, 8, 1);
    const volume = await niftiMask('volume.nii.gz', 16, 12, 5);
    const plan = await planUpload([scan, volume], {
      segmentationFiles: [mask(5, 4), { files: [await niftiMask('volume-mask.nii', 16, 12, 5)] }],
    });
    expect(plan.units.map((u) => u.files[0]!.source)).toEqual([volume]);
    expect(plan.problems.map((p) => [p.source, p.error.message])).toEqual([
      [scan, 'mask mask array is 4 x 5 (columns x rows) but the image is 8 x 8'],
    ]);
  });

  it('counts only the frames up to the last one with a label, since empty frames are not sent', async () => {
    const image = await widePng('trailing.png');
    // 20 x 10 x 3 with labels on frame 0 only: the upload sends one annotation, on frame 0.
    const data = new Uint8Array(20 * 10 * 3);
    data.fill(1, 0, 20);
    const file = path.join(work, 'trailing-empty.nii');
    await writeFile(file, writeNifti({ data, shape: [20, 10, 3] }));
    const plan = await planUpload([image], { segmentationFiles: [file] });
    expect(plan.problems).toEqual([]);
    data.fill(1, 400, 420);
    await writeFile(file, writeNifti({ data, shape: [20, 10, 3] }));
    const labelled = await planUpload([image], { segmentationFiles: [file] });
    expect(labelled.problems[0]!.error.message).toBe(
      `mask ${file} has labels on 3 frames but the image has 1`,
    );
  });

  it('fails an image whose mask, read whole to count its labelled frames, is cut short, naming the mask', async () => {
    const image = await widePng('cut-volume.png');
    // Three frames by its header, so it is read whole; its voxels stop inside the second frame.
    const whole = writeNifti({ data: new Uint8Array(20 * 10 * 3).fill(1), shape: [20, 10, 3] });
    const file = path.join(work, 'cut-volume.nii');
    await writeFile(file, whole.subarray(0, whole.length - 300));
    const plan = await planUpload([image], { segmentationFiles: [file] });
    expect(plan.units).toEqual([]);
    expect(plan.problems[0]!.error.message).toMatch(new RegExp(`^mask ${file} cannot be read: `));
  });

  it.skipIf(!hasData)(
    'checks the shape of frameIndex as the upload would, before anything is created',
    async () => {
      const volume = await niftiMask('ten.nii', 16, 16, 5);
      const plan = (frameIndex: number | number[]) =>
        planUpload(slices, {
          segmentationsBySource: (source) =>
            source === slices[0] ? { files: [volume], frameIndex: [frameIndex] as never } : undefined,
        });
      expect((await plan(0)).problems[0]!.error.message).toBe(
        `mask ${volume}: frameIndex is the single number 0 but the mask has 5 frames`,
      );
      expect((await plan([0, 1])).problems[0]!.error.message).toBe(
        `mask ${volume}: frameIndex has 2 entries but the mask has 5 frames`,
      );
      expect((await plan([0, 1, 2, 3, 4])).problems).toEqual([]);
    },
  );

  it('fails an image whose NIfTI mask reading would refuse (a 4-D volume), naming why', async () => {
    const image = await widePng('four-d.png');
    const bytes = writeNifti({ data: new Uint8Array(20 * 10 * 2), shape: [20, 10, 2] });
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setInt16(40, 4, true);
    view.setInt16(46, 1, true);
    view.setInt16(48, 2, true);
    const file = path.join(work, 'four-d.nii');
    await writeFile(file, bytes);
    const plan = await planUpload([image], { segmentationFiles: [file] });
    expect(plan.problems[0]!.error.message).toMatch(
      new RegExp(`^mask ${file} cannot be read: .*4-D with dim\\[4\\]=2`),
    );
  });

  it('fails an image whose mask cannot be read or is not a mask, naming the mask', async () => {
    const image = await widePng('lonely.png');
    const text = path.join(work, 'notes.nii');
    await writeFile(text, 'these are notes, not a NIfTI volume; long enough to look like a header?');
    const missing = path.join(work, 'nowhere', 'mask.png');
    const plan = await planUpload([image, image, image], {
      segmentationFiles: [missing, text, gzipSync(Buffer.from('gzip of text, not of a NIfTI header'))],
    });
    expect(plan.units).toEqual([]);
    expect(plan.problems.map((p) => p.error.message)).toEqual([
      expect.stringMatching(new RegExp(`^mask ${missing} cannot be read: ENOENT`)),
      `mask ${text} is neither a PNG nor a NIfTI file (or its header is cut short)`,
      'mask mask bytes is neither a PNG nor a NIfTI file (or its header is cut short)',
    ]);
  });

  it('fits one mask file attached to many images', async () => {
    const dir = path.join(work, 'many');
    await mkdir(dir);
    const images: string[] = [];
    for (let i = 0; i < 20; i++) {
      images.push(path.join(dir, `${i}.png`));
      await writeFile(images[i]!, grayPng(20, 10, i));
    }
    const shared = await niftiMask('shared.nii', 20, 10, 1);
    const plan = await planUpload(images, { segmentationsBySource: () => shared });
    expect(plan.problems).toEqual([]);
    expect(plan.units).toHaveLength(20);
  });
});

describe('uploadResources with a mask that does not fit', () => {
  it('creates no resource for that image, reports a SegmentationError, and uploads the rest', async () => {
    const good = await widePng('good.png');
    const bad = await widePng('bad.png');
    const results = await api.uploadResources([good, bad], {
      segmentationFiles: [mask(10, 20), mask(10, 21)],
      onError: 'skip',
      channel: 'mask-fit',
    });
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    const failed = results[1]!;
    if (failed.ok) throw new Error('expected a failure');
    expect(failed.error).toBeInstanceOf(UploadFileError);
    expect(failed.error.cause).toBeInstanceOf(SegmentationError);
    expect(failed.error.message).toContain('is 21 x 10 (columns x rows) but the image is 20 x 10');
    const stored = await api.getResources({ channel: 'mask-fit' }).toArray();
    expect(stored.map((r) => r.filename)).toEqual(['good.png']);
  });
});
