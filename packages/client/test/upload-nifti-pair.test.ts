import { randomFillSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type NiftiHeader, readNiftiHeader, writeNifti } from '@datamint/segmentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type APIHandler,
  APIUserAbortError,
  type Api,
  BrowserAPIHandler,
  NiftiPairError,
  planUpload,
  UploadFileError,
  type UploadPlan,
} from '../src';
import { isGzip } from '../src/upload/leading-bytes';
import {
  byteRange,
  classifyPairHeader,
  countUpTo,
  inflated,
  joinedName,
  pairName,
  pairVoxels,
} from '../src/upload/nifti-pair';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import {
  API_KEY,
  type ApiHarness,
  startApiHarness,
  startTestServer,
  type TestServer,
} from './helpers/server';

const hasData = requireData();
const AIR_HDR = path.join(dataDir, 'nifti/air.hdr.gz');
const AIR_IMG = path.join(dataDir, 'nifti/air.img.gz');

/** A NIfTI pair (int16 voxels, vox_offset `imageOffset`), its header in the byte order asked. */
function int16Pair(
  dims: number[],
  options: { littleEndian?: boolean; version?: 1 | 2; imageOffset?: number } = {},
): { hdr: Uint8Array; img: Uint8Array; values: Int16Array } {
  const le = options.littleEndian ?? true;
  const offset = options.imageOffset ?? 0;
  const count = dims.reduce((a, b) => a * b, 1);
  const values = Int16Array.from({ length: count }, (_, i) => ((i * 37) % 2000) - 1000);
  const img = new Uint8Array(offset + count * 2);
  const iv = new DataView(img.buffer);
  values.forEach((v, i) => {
    iv.setInt16(offset + 2 * i, v, le);
  });
  const version = options.version ?? 1;
  const hdr = new Uint8Array(version === 1 ? 348 : 540);
  const v = new DataView(hdr.buffer);
  v.setInt32(0, hdr.length, le);
  if (version === 1) {
    [dims.length, ...dims].forEach((d, i) => {
      v.setInt16(40 + 2 * i, d, le);
    });
    v.setInt16(70, 4, le); // int16
    v.setInt16(72, 16, le);
    v.setFloat32(108, offset, le);
    hdr.set([0x6e, 0x69, 0x31, 0], 344); // "ni1"
  } else {
    hdr.set([0x6e, 0x69, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4); // "ni2"
    v.setInt16(12, 4, le);
    v.setInt16(14, 16, le);
    [dims.length, ...dims].forEach((d, i) => {
      v.setBigInt64(16 + 8 * i, BigInt(d), le);
    });
    v.setBigInt64(168, BigInt(offset), le);
  }
  return { hdr, img, values };
}

/** Analyze 7.5: the 348-byte header without NIfTI's magic. */
function analyzeHeader(): Uint8Array {
  const { hdr } = int16Pair([2, 2]);
  hdr.fill(0, 344, 348);
  return hdr;
}

async function* chunksOf(...chunks: number[][]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield Uint8Array.from(c);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<number[]> {
  const out: number[] = [];
  for await (const c of chunks) out.push(...c);
  return out;
}

describe('the pieces of a NIfTI pair upload', () => {
  it.each([
    ['scans/air.hdr', { stem: 'scans/air', role: 'header' }],
    ['scans/air.HDR.gz', { stem: 'scans/air', role: 'header' }],
    ['air.img', { stem: 'air', role: 'image' }],
    ['C:\\d\\air.img.gz', { stem: 'C:\\d\\air', role: 'image' }],
    ['air.nii', undefined],
    ['scans/.hdr', undefined],
    ['air.img.bz2', undefined],
  ])('pairName(%j)', (name, expected) => {
    expect(pairName(name)).toEqual(expected);
  });

  it.each([
    ['scans/air.hdr.gz', 'scans/air.nii'],
    ['AIR.HDR', 'AIR.nii'],
  ])('joinedName(%j) is %j', (name, expected) => {
    expect(joinedName(name)).toBe(expected);
  });

  const header = (fields: Partial<NiftiHeader>): NiftiHeader => ({
    ...readNiftiHeader(int16Pair([2, 3]).hdr)!,
    ...fields,
  });
  it.each([
    [{}, { imageOffset: 0, voxelBytes: 12 }],
    [
      { dims: [4, 5, 6], bitpix: 32, voxOffset: 16 },
      { imageOffset: 16, voxelBytes: 480 },
    ],
    [{ dims: [], rank: 9 }, { reason: 'dim[0] is 9, expected 1..7' }],
    [{ dims: [4, 0] }, { reason: 'dim[2] is 0, expected a positive size' }],
    [{ bitpix: 1 }, { reason: 'bitpix is 1, expected whole bytes per voxel' }],
    [{ voxOffset: 2.5 }, { reason: 'vox_offset is 2.5, expected a whole number of bytes >= 0' }],
    [
      { dims: [32767, 32767, 32767, 32767], bitpix: 64 },
      { reason: '32767x32767x32767x32767 voxels are too many' },
    ],
  ])('pairVoxels(%j) is %j', (fields, expected) => {
    expect(pairVoxels(header(fields))).toEqual(expected);
  });

  it('classifies what a .hdr holds', () => {
    expect(classifyPairHeader(int16Pair([2, 3]).hdr)).toMatchObject({
      kind: 'pair',
      voxels: { voxelBytes: 12 },
    });
    expect(classifyPairHeader(analyzeHeader())).toMatchObject({
      kind: 'refused',
      reason: expect.stringMatching(/^an Analyze 7\.5 header \(no NIfTI magic\)/),
    });
    const noRank = int16Pair([2, 3]).hdr;
    new DataView(noRank.buffer).setInt16(40, 0, true);
    expect(classifyPairHeader(noRank)).toEqual({
      kind: 'refused',
      reason: 'a NIfTI-1 pair header that cannot be read: dim[0] is 0, expected 1..7',
    });
    // A Radiance HDR image, and a single-file NIfTI named .hdr: not a pair's header.
    expect(classifyPairHeader(new TextEncoder().encode('#?RADIANCE\n'.repeat(40)))).toEqual({
      kind: 'other',
    });
  });

  it.each([
    [
      [
        [1, 2, 3],
        [4, 5],
      ],
      1,
      3,
      [2, 3, 4],
    ],
    [
      [
        [1, 2],
        [3, 4, 5, 6],
      ],
      3,
      2,
      [4, 5],
    ],
    [[[1, 2, 3, 4]], 0, 4, [1, 2, 3, 4]],
    [[[], [1], [2, 3]], 0, 0, []],
  ])('byteRange(%j, %i, %i) yields %j', async (chunks, offset, length, expected) => {
    expect(await collect(byteRange(chunksOf(...chunks), offset, length, () => new Error('short')))).toEqual(
      expected,
    );
  });

  it('byteRange says how much a short stream had, and stops reading once it has enough', async () => {
    await expect(
      collect(byteRange(chunksOf([1, 2], [3]), 1, 5, (found) => new Error(`found ${found}`))),
    ).rejects.toThrow('found 2');
    let closed = false;
    async function* endless() {
      try {
        for (;;) yield new Uint8Array(4);
      } finally {
        closed = true;
      }
    }
    expect(await collect(byteRange(endless(), 2, 5, () => new Error('short')))).toHaveLength(5);
    expect(closed).toBe(true);
  });

  it('countUpTo counts no further than it must', async () => {
    expect(await countUpTo(chunksOf([1, 2], [3, 4], [5]), 3)).toBe(4);
    expect(await countUpTo(chunksOf([1, 2]), 3)).toBe(2);
  });

  it('inflated gunzips a stream, types corrupt data and passes read failures as they are', async () => {
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251);
    const gz = new Uint8Array(gzipSync(data));
    const split = [...gz.subarray(0, 1000)];
    const rest = [...gz.subarray(1000)];
    expect(await collect(inflated(chunksOf(split, rest), () => new Error('corrupt')))).toEqual([...data]);
    const corrupt = [...gz.subarray(0, 20), ...new Uint8Array(50).fill(7)];
    await expect(collect(inflated(chunksOf(corrupt), (e) => new Error(`corrupt: ${e}`)))).rejects.toThrow(
      /^corrupt: /,
    );
    async function* failing() {
      yield gz.subarray(0, 100);
      throw new Error('disk gone');
    }
    await expect(collect(inflated(failing(), () => new Error('corrupt')))).rejects.toThrow('disk gone');
  });
});

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'dm-nifti-pair-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

async function place(rel: string, bytes: Uint8Array | string): Promise<string> {
  const file = path.join(work, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

function problemsOf(plan: UploadPlan): [string, string, string][] {
  return plan.problems.map((p) => [path.basename(p.source), p.error.name, p.error.message]);
}

describe('planUpload pairs a NIfTI .hdr with its .img', () => {
  it.skipIf(!hasData)('plans air.hdr.gz + air.img.gz as one air.nii', async () => {
    const plan = await planUpload([AIR_HDR, AIR_IMG]);
    expect(plan.problems).toEqual([]);
    expect(plan.units).toHaveLength(1);
    expect(plan.units[0]).toMatchObject({
      kind: 'nifti-pair',
      filename: 'air.nii',
      sourceFilepath: path.join(dataDir, 'nifti/air.nii'),
      mimetype: 'application/x-nifti',
      size: 352 + 79 * 67 * 64 * 4,
      niftiPair: {
        version: 1,
        headerBytes: 352,
        imageOffset: 0,
        voxelBytes: 79 * 67 * 64 * 4,
        imageGzip: true,
      },
    });
    expect(plan.units[0]!.files.map((f) => f.source)).toEqual([AIR_HDR, AIR_IMG]);
  });

  it('pairs within a folder, in either byte order, NIfTI-1 and NIfTI-2, plain and gzipped', async () => {
    const le = int16Pair([3, 4, 2]);
    const be = int16Pair([3, 4, 2], { littleEndian: false, imageOffset: 8 });
    const two = int16Pair([5, 2], { version: 2 });
    await place('folder/le.hdr', le.hdr);
    await place('folder/le.img', le.img);
    await place('folder/be.hdr.gz', gzipSync(be.hdr));
    await place('folder/be.img', be.img);
    await place('folder/two.hdr', two.hdr);
    await place('folder/two.img.gz', gzipSync(two.img));
    await place('folder/other.png', grayPng(4, 4, 1));
    const plan = await planUpload(path.join(work, 'folder'));
    expect(plan.problems).toEqual([]);
    expect(
      plan.units.map((u) => [u.kind, u.filename, u.size, u.files.map((f) => path.basename(f.source))]),
    ).toEqual([
      ['nifti-pair', 'be.nii', 352 + 48, ['be.hdr.gz', 'be.img']],
      ['nifti-pair', 'le.nii', 352 + 48, ['le.hdr', 'le.img']],
      ['file', 'other.png', expect.any(Number), ['other.png']],
      ['nifti-pair', 'two.nii', 544 + 20, ['two.hdr', 'two.img.gz']],
    ]);
    expect(plan.units[0]!.niftiPair).toMatchObject({ imageOffset: 8, imageGzip: false });
  });

  it('pairs in-memory inputs by name, as a web page gives them', async () => {
    const { hdr, img } = int16Pair([2, 2]);
    const plan = await planUpload([
      { name: 'study/brain.img', data: new Blob([img as Uint8Array<ArrayBuffer>]) },
      { name: 'study/brain.hdr', data: hdr },
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.units.map((u) => [u.kind, u.filename, u.files.map((f) => f.source)])).toEqual([
      ['nifti-pair', 'brain.nii', ['study/brain.hdr', 'study/brain.img']],
    ]);
  });

  it('gives the pair the metadata of X.json beside its header', async () => {
    const { hdr, img } = int16Pair([2, 2]);
    await place('meta/x.hdr', hdr);
    await place('meta/x.img', img);
    const json = await place('meta/x.json', '{"modality": "MR"}');
    const plan = await planUpload(path.join(work, 'meta'), { jsonSidecars: true });
    expect(plan.units).toHaveLength(1);
    expect(plan.units[0]).toMatchObject({ kind: 'nifti-pair', metadata: json });
  });

  it('gives the pair the masks of either file, checked against the size its header says', async () => {
    const { hdr, img } = int16Pair([4, 3, 2]);
    const files = [await place('masked/m.hdr', hdr), await place('masked/m.img', img)];
    const fits = await place(
      'masked/fits.nii',
      writeNifti({ data: new Uint8Array(24).fill(1), shape: [4, 3, 2] }),
    );
    const wide = await place(
      'masked/wide.nii',
      writeNifti({ data: new Uint8Array(30).fill(1), shape: [5, 3, 2] }),
    );
    const plan = await planUpload(files, { segmentationFiles: [null, fits] });
    expect(plan.problems).toEqual([]);
    expect(plan.units.map((u) => [u.kind, u.segmentations.map((t) => t.input)])).toEqual([
      ['nifti-pair', [fits]],
    ]);
    const misfit = await planUpload(files, { segmentationFiles: [wide, null] });
    expect(misfit.units).toEqual([]);
    expect(misfit.problems.map((p) => [path.basename(p.source), p.error.name])).toEqual([
      ['m.hdr', 'SegmentationError'],
      ['m.img', 'SegmentationError'],
    ]);
  });

  it('fails each file of a pair that cannot be joined, naming it, and plans the rest', async () => {
    const ok = int16Pair([2, 2]);
    const short = int16Pair([4, 4]);
    await place('broken/lonely.hdr', ok.hdr);
    await place('broken/orphan.img', ok.img);
    await place('broken/analyze.hdr', analyzeHeader());
    await place('broken/analyze.img', ok.img);
    await place('broken/short.hdr', short.hdr);
    await place('broken/short.img', short.img.subarray(0, 20));
    await place('broken/shortgz.hdr', short.hdr);
    await place('broken/shortgz.img.gz', gzipSync(short.img.subarray(0, 30)));
    await place('broken/corrupt.hdr', short.hdr);
    await place('broken/corrupt.img.gz', new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]));
    const plan = await planUpload(path.join(work, 'broken'));
    expect(plan.units).toEqual([]);
    expect(problemsOf(plan)).toEqual([
      [
        'analyze.hdr',
        'NiftiPairError',
        'an Analyze 7.5 header (no NIfTI magic): the platform reads NIfTI, so convert the pair to NIfTI (.nii) first',
      ],
      ['analyze.img', 'NiftiPairError', 'the image of analyze.hdr, which cannot be uploaded (see there)'],
      ['corrupt.hdr', 'NiftiPairError', 'its image corrupt.img.gz cannot be read (see there)'],
      ['corrupt.img.gz', 'NiftiPairError', expect.stringMatching(/^is not readable gzip data \(.+\)$/)],
      [
        'lonely.hdr',
        'NiftiPairError',
        'the header of a NIfTI-1 .hdr/.img pair, but its image (lonely.img or lonely.img.gz) is not among the files to upload: give both files, or their folder',
      ],
      [
        'orphan.img',
        'NiftiPairError',
        'the image of a .hdr/.img pair, but its NIfTI header (orphan.hdr or orphan.hdr.gz) is not among the files to upload: give both files, or their folder',
      ],
      ['short.hdr', 'NiftiPairError', 'its image short.img is shorter than this header says (see there)'],
      [
        'short.img',
        'NiftiPairError',
        'holds 20 bytes of voxels, but short.hdr says 4x4 voxels of 16 bits (32 bytes)',
      ],
      [
        'shortgz.hdr',
        'NiftiPairError',
        'its image shortgz.img.gz is shorter than this header says (see there)',
      ],
      [
        'shortgz.img.gz',
        'NiftiPairError',
        'holds 30 bytes of voxels (gunzipped), but shortgz.hdr says 4x4 voxels of 16 bits (32 bytes)',
      ],
    ]);
  });

  it('says a short image is short past its vox_offset', async () => {
    const { hdr, img } = int16Pair([4, 4], { imageOffset: 16 });
    await place('offset/o.hdr', hdr);
    await place('offset/o.img', img.subarray(0, 10));
    const plan = await planUpload(path.join(work, 'offset'));
    expect(problemsOf(plan)).toContainEqual([
      'o.img',
      'NiftiPairError',
      'holds 0 bytes of voxels, but o.hdr says 4x4 voxels of 16 bits (32 bytes from byte 16)',
    ]);
  });

  it('leaves alone what is no pair: a lone .img of a known type, a .hdr that is no NIfTI pair header, a given type', async () => {
    if (hasData) {
      // A DICOM named .img, even beside a pair's header of its name, stays a DICOM.
      const slice = await readFile(path.join(dataDir, 'dicom/series/pydicom_ct5n', '2062.dcm'));
      const dicom = await place('dicom/ct.img', slice);
      const plan = await planUpload([dicom, await place('dicom/ct.hdr', int16Pair([2, 2]).hdr)]);
      expect(plan.units.map((u) => [u.kind, u.filename, u.mimetype])).toEqual([
        ['file', 'ct.img', 'application/dicom'],
      ]);
      expect(problemsOf(plan)).toEqual([
        [
          'ct.hdr',
          'NiftiPairError',
          'the header of a NIfTI-1 .hdr/.img pair, but its image (ct.img or ct.img.gz) is not among the files to upload: give both files, or their folder',
        ],
      ]);
    }
    const png = await place('alone/picture.img', grayPng(4, 4, 1));
    const radiance = await place('alone/sky.hdr', '#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 1 +X 1\n');
    const plan = await planUpload([png, radiance]);
    expect(plan.problems).toEqual([]);
    expect(plan.units.map((u) => [u.kind, u.filename, u.mimetype])).toEqual([
      ['file', 'picture.img', 'image/png'],
      ['file', 'sky.hdr', undefined],
    ]);
    // A type the caller gives uploads the files as they are, one resource each, as before.
    const { hdr, img } = int16Pair([2, 2]);
    const given = await planUpload([await place('given/g.hdr', hdr), await place('given/g.img', img)], {
      mimetype: 'application/octet-stream',
    });
    expect(given.problems).toEqual([]);
    expect(given.units.map((u) => [u.kind, u.filename])).toEqual([
      ['file', 'g.hdr'],
      ['file', 'g.img'],
    ]);
  });
});

describe('planUpload pairs what the review found it missed', () => {
  it('pairs a header and an image named by different paths to the same folder', async () => {
    const { hdr, img } = int16Pair([2, 3]);
    const hdrPath = await place('paths/p.hdr', hdr);
    const imgPath = await place('paths/p.img.gz', gzipSync(img));
    const rel = (p: string) => path.relative(process.cwd(), p);
    for (const files of [
      [`.${path.sep}${rel(hdrPath)}`, rel(imgPath)],
      [rel(hdrPath), imgPath],
    ]) {
      const plan = await planUpload(files);
      expect(problemsOf(plan)).toEqual([]);
      expect(plan.units.map((u) => [u.kind, u.filename, u.files.map((f) => f.source)])).toEqual([
        ['nifti-pair', 'p.nii', files],
      ]);
    }
  });

  it('uploads the .img beside a .hdr that is no NIfTI pair header as it is (an ENVI scene)', async () => {
    await place('envi/scene.hdr', 'ENVI\nsamples = 2\nlines = 2\nbands = 1\ndata type = 1\n');
    await place('envi/scene.img', new Uint8Array([1, 2, 3, 4]));
    const plan = await planUpload(path.join(work, 'envi'));
    expect(problemsOf(plan)).toEqual([]);
    expect(plan.units.map((u) => [u.kind, u.filename])).toEqual([
      ['file', 'scene.hdr'],
      ['file', 'scene.img'],
    ]);
  });

  it('takes a plain .img as raw whatever its first voxels, and a .img.gz that is no gzip as an error', async () => {
    const { hdr, img } = int16Pair([2, 3]);
    // The first voxels happen to be gzip's magic: the name says the image is plain.
    img.set([0x1f, 0x8b, 8, 0]);
    await place('magic/m.hdr', hdr);
    await place('magic/m.img', img);
    // A plain image named .img.gz: the name promises gzip, which it is not.
    const plain = int16Pair([2, 3]);
    await place('magic/n.hdr', plain.hdr);
    await place('magic/n.img.gz', plain.img);
    const plan = await planUpload(path.join(work, 'magic'));
    expect(plan.units.map((u) => [u.kind, u.filename, u.niftiPair?.imageGzip])).toEqual([
      ['nifti-pair', 'm.nii', false],
    ]);
    expect(problemsOf(plan)).toEqual([
      ['n.hdr', 'NiftiPairError', 'its image n.img.gz cannot be read (see there)'],
      [
        'n.img.gz',
        'NiftiPairError',
        'is named .gz but is not gzip data (first bytes: 18 fc 3d fc 62 fc 87 fc): rename it .img if it is not compressed',
      ],
    ]);
    expect(isGzip(Uint8Array.from([0x1f, 0x8b, 8]))).toBe(true);
    // Deflate (8) is gzip's one compression method: other bytes after the magic are not gzip.
    expect(isGzip(Uint8Array.from([0x1f, 0x8b, 0]))).toBe(false);
    expect(isGzip(Uint8Array.from([0x1f, 0x8b]))).toBe(false);
  });

  it('says a short image named .img that starts like gzip may be a misnamed .img.gz', async () => {
    const { hdr, img } = int16Pair([64, 64]);
    await place('misnamed/g.hdr', hdr);
    await place('misnamed/g.img', gzipSync(img));
    const plan = await planUpload(path.join(work, 'misnamed'));
    expect(plan.units).toEqual([]);
    const [headerProblem, imageProblem] = problemsOf(plan);
    expect(headerProblem).toEqual([
      'g.hdr',
      'NiftiPairError',
      'its image g.img is shorter than this header says (see there)',
    ]);
    expect(imageProblem?.[2]).toMatch(
      /^holds \d+ bytes of voxels, but g\.hdr says 64x64 voxels .*; it starts like gzip data: if it is compressed, name it g\.img\.gz$/,
    );
  });

  it("pairs an image smaller than the walk's minimum size, which would be skipped as empty alone", async () => {
    const { hdr, img } = int16Pair([1]);
    await place('tiny/t.hdr', hdr);
    await place('tiny/t.img', img);
    await place('tiny/lone.img', new Uint8Array(2));
    const plan = await planUpload(path.join(work, 'tiny'), { minSize: 4 });
    expect(problemsOf(plan)).toEqual([]);
    expect(plan.units.map((u) => [u.kind, u.filename, u.size])).toEqual([['nifti-pair', 't.nii', 352 + 2]]);
    expect(plan.skipped.map((s) => [path.basename(s.source), s.reason])).toEqual([['lone.img', 'empty']]);
  });

  it('stops planning a big gzipped image when aborted while it is inflated', async () => {
    const { hdr, img } = int16Pair([1024, 1024, 4]);
    // Noise, so that the gzipped image is as big as the voxels and is read in many chunks.
    randomFillSync(img);
    const gz = gzipSync(img);
    const controller = new AbortController();
    let read = 0;
    // Aborts once pairing reads the image as a stream (counting its voxels), and counts what it read.
    class AbortingBlob extends Blob {
      override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
        controller.abort(new Error('stop'));
        return super.stream().pipeThrough(
          new TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>>({
            transform(chunk, out) {
              read += chunk.length;
              out.enqueue(chunk);
            },
          }),
        );
      }
    }
    const plan = planUpload(
      [
        { name: 'big/b.hdr', data: hdr },
        { name: 'big/b.img.gz', data: new AbortingBlob([gz as Uint8Array<ArrayBuffer>]) },
      ],
      { signal: controller.signal },
    );
    await expect(plan).rejects.toBeInstanceOf(APIUserAbortError);
    expect(read).toBeLessThan(gz.length / 2);
  });

  it('counts no further than an abort', async () => {
    const controller = new AbortController();
    let read = 0;
    async function* endless() {
      for (;;) {
        read++;
        if (read === 3) controller.abort();
        yield new Uint8Array(4);
      }
    }
    await expect(countUpTo(endless(), 1_000_000, controller.signal)).rejects.toBeInstanceOf(
      APIUserAbortError,
    );
    expect(read).toBe(3);
  });
});

/** The NiftiPairError among an error's causes (each file of a failed pair wraps the unit's error). */
function pairErrorOf(result: unknown): NiftiPairError | undefined {
  let error: unknown = (result as { error?: unknown }).error;
  while (error instanceof Error && !(error instanceof NiftiPairError)) error = error.cause;
  return error instanceof NiftiPairError ? error : undefined;
}

/** The voxels of a single-file NIfTI's bytes, as the header reader places them. */
function voxelsOf(nii: Uint8Array): { header: NiftiHeader; voxels: Uint8Array } {
  const header = readNiftiHeader(nii)!;
  return { header, voxels: nii.subarray(header.voxOffset) };
}

describe('uploadResources sends a NIfTI pair as one .nii', () => {
  let server: TestServer;
  let api: APIHandler;
  beforeAll(async () => {
    server = await startTestServer();
    api = server.api();
  });
  afterAll(async () => server?.close());

  it.skipIf(!hasData)('uploads air.hdr.gz + air.img.gz as one resource holding the same voxels', async () => {
    const results = await api.uploadResources([AIR_HDR, AIR_IMG]);
    expect(results).toMatchObject([
      { ok: true, source: AIR_HDR, filename: 'air.nii', assembledFrom: 2 },
      { ok: true, source: AIR_IMG, filename: 'air.nii', assembledFrom: 2 },
    ]);
    const id = (results[0] as { id: string }).id;
    expect((results[1] as { id: string }).id).toBe(id);
    const resource = await api.getResourcesByIds(id);
    expect(resource).toMatchObject({ filename: 'air.nii', mimetype: 'application/x-nifti' });
    const downloaded = await api.downloadResourceFile(id);
    const { header, voxels } = voxelsOf(downloaded.bytes!);
    const pairHeader = readNiftiHeader(gunzipSync(await readFile(AIR_HDR)))!;
    expect(header).toEqual({ ...pairHeader, singleFile: true, magic: 'n+1', voxOffset: 352 });
    expect(Buffer.from(voxels).equals(gunzipSync(await readFile(AIR_IMG)))).toBe(true);
    // The client's NIfTI decoder reads it as the float volume it is.
    if (downloaded.converted.kind !== 'nifti') throw new Error('expected a NIfTI volume');
    expect(downloaded.converted.volume.shape).toEqual([79, 67, 64]);
    expect(downloaded.converted.volume.data).toBeInstanceOf(Float32Array);
  });

  it('keeps a big-endian pair big-endian, its voxels after the image offset', async () => {
    const { hdr, img, values } = int16Pair([3, 4, 2], { littleEndian: false, imageOffset: 6 });
    const results = await api.uploadResources([
      await place('send/be.hdr', hdr),
      await place('send/be.img.gz', gzipSync(img)),
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const downloaded = await api.downloadResourceFile((results[0] as { id: string }).id);
    const { header, voxels } = voxelsOf(downloaded.bytes!);
    expect(header).toMatchObject({ littleEndian: false, singleFile: true, voxOffset: 352, dims: [3, 4, 2] });
    expect(Buffer.from(voxels).equals(Buffer.from(img.subarray(6)))).toBe(true);
    if (downloaded.converted.kind !== 'nifti') throw new Error('expected a NIfTI volume');
    expect([...downloaded.converted.volume.data]).toEqual([...values]);
  });

  it('fails the pair, naming the file, when a file changed after planning', async () => {
    const { hdr, img } = int16Pair([8, 8]);
    const hdrPath = await place('changed/c.hdr', hdr);
    const imgPath = await place('changed/c.img', img);
    const plan = await planUpload([hdrPath, imgPath]);
    await truncate(imgPath, 64);
    const [first, second] = await api.uploadResources(plan, { channel: 'changed', onError: 'skip' });
    expect(first?.ok).toBe(false);
    expect(second?.ok).toBe(false);
    expect((first as { error: unknown }).error).toBeInstanceOf(UploadFileError);
    expect(pairErrorOf(second)).toBe(pairErrorOf(first));
    expect(pairErrorOf(first)?.source).toBe(imgPath);
    expect(pairErrorOf(first)?.message).toBe(
      `${imgPath}: holds 64 bytes of voxels, but c.hdr says 8x8 voxels of 16 bits (128 bytes)`,
    );
    // A header that no longer says what planning read is refused before anything is sent.
    await writeFile(imgPath, img);
    const other = int16Pair([4, 4]).hdr;
    await writeFile(hdrPath, other);
    const [again] = await api.uploadResources(plan, { channel: 'changed', onError: 'skip' });
    expect(pairErrorOf(again)?.message).toBe(
      `${hdrPath}: changed since the upload was planned (plan it again)`,
    );
    expect(await api.getResources({ channel: 'changed' }).toArray()).toEqual([]);
  });

  it.skipIf(!hasData)('pairs two Files a page picked, with the browser client', async () => {
    const client = new BrowserAPIHandler({ rootUrl: server.url, apiKey: API_KEY });
    const file = async (p: string) => new File([new Uint8Array(await readFile(p))], path.basename(p));
    const results = await client.uploadResources([await file(AIR_IMG), await file(AIR_HDR)]);
    expect(results.map((r) => r.ok && [r.source, r.filename])).toEqual([
      ['air.img.gz', 'air.nii'],
      ['air.hdr.gz', 'air.nii'],
    ]);
    const downloaded = await api.downloadResourceFile((results[0] as { id: string }).id, {
      autoConvert: false,
    });
    expect(Buffer.from(voxelsOf(downloaded.bytes!).voxels).equals(gunzipSync(await readFile(AIR_IMG)))).toBe(
      true,
    );
  });

  it('reports the problems of a pair that cannot be joined as NiftiPairErrors, and uploads the rest', async () => {
    const { hdr } = int16Pair([2, 2]);
    const lonely = await place('mixed/lonely.hdr', hdr);
    const png = await place('mixed/fine.png', grayPng(4, 4, 1));
    const [a, b] = await api.uploadResources([lonely, png], { onError: 'skip' });
    expect(a?.ok).toBe(false);
    expect(pairErrorOf(a)?.reason).toContain('lonely.img or lonely.img.gz');
    expect(b?.ok).toBe(true);
  });
});

describe('the Api upload sends a NIfTI pair as one .nii', () => {
  let h: ApiHarness;
  let api: Api;
  beforeAll(async () => {
    h = await startApiHarness();
    api = h.api;
  });
  afterAll(async () => h?.close());

  it('creates one resource named after the pair, beside its header', async () => {
    const { hdr, img } = int16Pair([4, 3, 2]);
    const hdrPath = await place('api/scan.hdr', hdr);
    const results = await api.resources.uploadResources([hdrPath, await place('api/scan.img', img)]);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const posts = h.proxy.take().filter((r) => r.method === 'POST' && r.url === '/resources');
    expect(posts).toHaveLength(1);
    const id = (results[0] as { id: string }).id;
    const bytes = await api.resources.downloadResourceFile(id);
    expect(voxelsOf(bytes).voxels).toEqual(img);
    const resource = await api.resources.getById(id);
    expect(resource.filename).toBe('scan.nii');
  });
});
