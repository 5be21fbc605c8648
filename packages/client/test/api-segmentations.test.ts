import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readMask, readNiftiHeader } from '@datamint/segmentation';
import { decode, encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, SegmentationAnnotation, ValidationError } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng, maskPng } from './helpers/images';
import { partsOf } from './helpers/multipart-parts';
import type { RecordingProxy } from './helpers/recording-proxy';
import { type ApiHarness, startApiHarness } from './helpers/server';

const hasData = requireData();
const NII = `${dataDir}/nifti/little.nii.gz`;

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let tmp: string;
const ids = { png: '', nii: '' };

beforeAll(async () => {
  const uploads: { name: string; data: Uint8Array }[] = [{ name: 'flat.png', data: grayPng(6, 4) }];
  if (hasData) uploads.push({ name: 'little.nii.gz', data: new Uint8Array(await readFile(NII)) });
  h = await startApiHarness({ uploads });
  ({ proxy, api, tmp } = h);
  [ids.png, ids.nii] = h.ids;
});
afterAll(async () => {
  await h?.close();
});

/** The masks uploaded since the last call: the annotation posts and, per file, its PNG as 0/255 pixels. */
function uploaded() {
  const requests = proxy.take().filter((r) => r.method === 'POST');
  const posts = requests.filter((r) => /\/annotations$/.test(r.url)).map((r) => r.json);
  const files = requests
    .filter((r) => /\/file$/.test(r.url))
    .map((r) => {
      const [part] = partsOf(r);
      const png = decode(part!.body);
      return {
        filename: part!.filename,
        contentType: part!.contentType,
        channels: png.channels,
        pixels: Array.from(png.data as Uint8Array),
      };
    });
  return { posts, files };
}

describe('api.annotations.uploadSegmentations', () => {
  it('an integer label map keeps its label values (names by value) and uploads grayscale 0/255 PNGs', async () => {
    proxy.take();
    // Labels 1 and 2 on a 6 × 4 image: column 0 is 1, column 5 is 2.
    const mask = maskPng(6, 4, (x) => (x === 0 ? 1 : x === 5 ? 2 : 0));
    const created = await api.annotations.uploadSegmentations(ids.png, mask, {
      name: { 1: 'A', 2: 'B' },
    });
    expect(created).toHaveLength(2);
    const { posts, files } = uploaded();
    expect(posts).toEqual([
      [
        { type: 'segmentation', identifier: 'A', scope: 'frame', frame_index: 0, source: 'imported' },
        { type: 'segmentation', identifier: 'B', scope: 'frame', frame_index: 0, source: 'imported' },
      ],
    ]);
    expect(files.map((f) => [f.filename, f.contentType, f.channels])).toEqual([
      ['A', 'image/png', 1],
      ['B', 'image/png', 1],
    ]);
    const column = (c: number) => Array.from({ length: 24 }, (_, i) => (i % 6 === c ? 255 : 0));
    expect(files[0]!.pixels).toEqual(column(0));
    expect(files[1]!.pixels).toEqual(column(5));
    // Round trip: the server serves back each label's mask.
    const back = await api.annotations.getById(created[1]!);
    expect(back).toBeInstanceOf(SegmentationAnnotation);
    expect(back.frameIndex).toBe(0);
    const bytes = await api.annotations.downloadFile(back);
    expect(Array.from(readMask(bytes, { channel: 0 }).data, (v) => (v ? 255 : 0))).toEqual(column(5));
  });

  it('an RGB PNG is a colour label map: one label per colour, never read channel by channel', async () => {
    const rgb = new Uint8Array(6 * 4 * 3);
    for (let y = 0; y < 4; y++) {
      rgb.set([255, 0, 0], (y * 6 + 1) * 3); // red at x = 1
      rgb.set([0, 255, 0], (y * 6 + 4) * 3); // green at x = 4
    }
    const file = path.join(tmp, 'rgb.png');
    await writeFile(file, encode({ width: 6, height: 4, data: rgb, channels: 3, depth: 8 }));
    proxy.take();
    const created = await api.annotations.uploadSegmentations(ids.png, file, {
      name: { '255,0,0': 'Red', default: 'Other' },
      frameIndex: 0,
    });
    expect(created).toHaveLength(2);
    const { posts, files } = uploaded();
    // Colours in ascending 0xRRGGBB order: green (0x00FF00) before red (0xFF0000).
    expect((posts[0] as { identifier: string }[]).map((p) => p.identifier)).toEqual(['Other', 'Red']);
    const column = (c: number) => Array.from({ length: 24 }, (_, i) => (i % 6 === c ? 255 : 0));
    expect(files.map((f) => [f.filename, f.pixels])).toEqual([
      ['Other', column(4)],
      ['Red', column(1)],
    ]);
  });

  it('a [C, H, W, F] colour array gives one label per colour per frame, unnamed colours seg_r_g_b', async () => {
    const [C, H, W, F] = [3, 4, 6, 2] as const;
    const data = new Uint8Array(C * H * W * F);
    const set = (y: number, x: number, f: number, [r, g, b]: number[]) => {
      [r, g, b].forEach((v, c) => {
        data[((c * H + y) * W + x) * F + f] = v!;
      });
    };
    set(0, 0, 0, [10, 20, 30]);
    set(3, 5, 1, [10, 20, 30]);
    proxy.take();
    const created = await api.annotations.uploadSegmentations(
      ids.png,
      { data, shape: [C, H, W, F] },
      {
        frameIndex: [0, 0],
        authorEmail: 'reader@example.com',
      },
    );
    expect(created).toHaveLength(2);
    const { posts, files } = uploaded();
    expect(posts).toEqual([
      [
        {
          type: 'segmentation',
          identifier: 'seg_10_20_30',
          scope: 'frame',
          frame_index: 0,
          import_author: 'reader@example.com',
          source: 'imported',
        },
      ],
      [expect.objectContaining({ identifier: 'seg_10_20_30', frame_index: 0 })],
    ]);
    expect(files[0]!.pixels.indexOf(255)).toBe(0);
    expect(files[1]!.pixels.indexOf(255)).toBe(23);
  });

  it('bad input fails before any request with the field named', async () => {
    proxy.take();
    await expect(api.annotations.uploadSegmentations(ids.png, 'seg.nii.gz')).rejects.toThrow(
      /Invalid file: .*uploadVolumeSegmentation/,
    );
    await expect(
      api.annotations.uploadSegmentations(ids.png, { data: new Uint8Array(5), shape: [3, 1, 1, 1] }),
    ).rejects.toThrow(/Invalid file.data: got 5, expected 3 values/);
    await expect(
      api.annotations.uploadSegmentations(
        ids.png,
        { data: new Uint8Array(3).fill(9), shape: [3, 1, 1, 1] },
        { name: { '300,0,0': 'x' } },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(api.annotations.uploadSegmentations(ids.png, path.join(tmp, 'missing.png'))).rejects.toThrow(
      /Cannot read segmentation file/,
    );
    expect(proxy.take()).toEqual([]);
  });
});

describe.skipIf(!hasData)('api.annotations.uploadVolumeSegmentation', () => {
  const [NX, NY, NZ] = [64, 64, 21];
  const affine = [
    [-2, 0, 0, 90],
    [0, 2, 0, -126],
    [0, 0, 2, -72],
    [0, 0, 0, 1],
  ];
  const labels = new Uint8Array(NX * NY * NZ).map((_, i) => (i % 97 === 0 ? 1 : i % 89 === 0 ? 2 : 0));

  it('voxels + shape + affine → one NIfTI we write, parts in the platform order; download gives the same voxels', async () => {
    proxy.take();
    const created = await api.annotations.uploadVolumeSegmentation(
      ids.nii,
      { data: labels, shape: [NX, NY, NZ], affine },
      { name: { 1: 'liver', 2: 'tumor' }, importedFrom: 'model-x' },
    );
    expect(created).toHaveLength(2);
    const [post] = proxy.take().filter((r) => r.method === 'POST');
    expect(post!.url).toBe(`/annotations/${ids.nii}/segmentations/file`);
    const parts = partsOf(post!);
    expect(parts.map((p) => [p.name, p.contentType, p.filename])).toEqual([
      ['file', 'application/nifti', 'segmentation.nii'],
      ['source', 'text/plain; charset=utf-8', undefined],
      ['imported_from', 'text/plain; charset=utf-8', undefined],
      ['segmentation_map', 'application/json', undefined],
    ]);
    expect(parts[3]!.body.toString()).toBe('{"1":"liver","2":"tumor"}');
    const header = readNiftiHeader(new Uint8Array(parts[0]!.body))!;
    expect([header.dims, header.datatype]).toEqual([[NX, NY, NZ], 2]);
    expect(header.srow).toEqual(affine.slice(0, 3));

    const back = await api.annotations.getById(created[0]!);
    expect(back).toBeInstanceOf(SegmentationAnnotation);
    expect((back as SegmentationAnnotation).classMap).toEqual({ 1: 'liver', 2: 'tumor' });
    const file = await api.annotations.downloadFile(back);
    const volume = readMask(file, { fileName: 'back.nii' });
    expect([volume.width, volume.height, volume.frames]).toEqual([NX, NY, NZ]);
    expect(Buffer.from(volume.data as Uint8Array).equals(Buffer.from(labels))).toBe(true);
  });

  it('a .nii.gz file is sent as it is (bytes still gzipped) and round-trips', async () => {
    const gz = path.join(tmp, 'seg.nii.gz');
    const { gzipSync } = await import('node:zlib');
    const { writeNifti } = await import('@datamint/segmentation');
    const bytes = gzipSync(writeNifti({ data: labels, shape: [NX, NY, NZ] }));
    await writeFile(gz, bytes);
    proxy.take();
    const created = await api.annotations.uploadVolumeSegmentation(ids.nii, gz, {
      name: new Map([[2, 'tumor']]),
    });
    expect(created).toHaveLength(1);
    const [post] = proxy.take().filter((r) => r.method === 'POST');
    const [file] = partsOf(post!);
    expect([file!.filename, file!.contentType]).toEqual(['seg.nii.gz', 'application/nifti']);
    expect(file!.body.equals(bytes)).toBe(true);
    const back = await api.annotations.downloadFile(created[0]!);
    const raw = back[0] === 0x1f ? new Uint8Array(gunzipSync(back)) : back;
    expect(
      Buffer.from(readMask(raw, { fileName: 'b.nii' }).data as Uint8Array).equals(Buffer.from(labels)),
    ).toBe(true);
  });

  it('bad volumes and names fail before any request', async () => {
    proxy.take();
    await expect(api.annotations.uploadVolumeSegmentation(ids.nii, 'seg.png')).rejects.toThrow(
      /Invalid file: .*\.nii/,
    );
    await expect(
      api.annotations.uploadVolumeSegmentation(ids.nii, { data: new Uint8Array(3), shape: [2, 2, 1] }),
    ).rejects.toThrow(/Invalid file.data: .*needs 4/);
    await expect(
      api.annotations.uploadVolumeSegmentation(
        ids.nii,
        { data: labels, shape: [NX, NY, NZ] },
        {
          name: { 0.5: 'x' } as never,
        },
      ),
    ).rejects.toThrow(/Invalid name/);
    await expect(api.annotations.uploadVolumeSegmentation(ids.nii, new Uint8Array(10))).rejects.toThrow(
      /NIfTI-1\/2 bytes/,
    );
    expect(proxy.take()).toEqual([]);
  });

  it('downloadMultipleFiles saves each file and reports a failure without throwing', async () => {
    const created = await api.annotations.uploadVolumeSegmentation(
      ids.nii,
      { data: labels, shape: [NX, NY, NZ] },
      { name: { 1: 'liver' } },
    );
    const target = path.join(tmp, 'a.nii');
    const results = await api.annotations.downloadMultipleFiles(
      [created[0]!, '00000000-0000-4000-8000-000000000000'],
      [target, path.join(tmp, 'b.nii')],
    );
    expect(results.map((r) => r.ok)).toEqual([true, false]);
    expect(String(results[1]!.error)).toMatch(/not found/i);
    expect(readNiftiHeader(new Uint8Array(await readFile(target)))?.dims).toEqual([NX, NY, NZ]);
  });
});
