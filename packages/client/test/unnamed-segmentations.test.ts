import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeNifti } from '@datamint/segmentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIHandler } from '../src';
import { dataDir, requireData } from './helpers/data';
import { grayPng } from './helpers/images';
import { startTestServer, type TestServer } from './helpers/server';

// A 4 × 3 × 4 label volume (NIfTI order, x fastest): liver (1) on slices 0 and 1, tumour (2) on
// slices 2 and 3, never on the same slice. The Python SDK names every one of these slices `seg`.
const [NX, NY, NZ] = [4, 3, 4];
const labels = new Uint8Array(NX * NY * NZ);
for (let k = 0; k < NZ; k++) labels.fill(k < 2 ? 1 : 2, k * NX * NY + 1, k * NX * NY + 5);

/** What the server should hold for that mask: one name per label value, the same on every slice. */
const LIVER_THEN_TUMOUR = [
  [0, 'seg_1'],
  [1, 'seg_1'],
  [2, 'seg_2'],
  [3, 'seg_2'],
];

let server: TestServer;
let api: APIHandler;
let dir: string;
let maskPath: string;

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  dir = await mkdtemp(path.join(tmpdir(), 'unnamed-masks-'));
  maskPath = path.join(dir, 'labels.nii');
  await writeFile(maskPath, writeNifti({ data: labels, shape: [NX, NY, NZ] }));
});
afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** [frame, identifier] of the segmentations the server holds for a resource, by frame. */
async function stored(resourceId: string): Promise<Array<[number | undefined, string | undefined]>> {
  const annotations = await api.getAnnotations({ resourceId, annotationType: 'segmentation' }).toArray();
  return annotations
    .map((a): [number | undefined, string | undefined] => [a.index ?? undefined, a.name])
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
}

describe('an unnamed 3-D mask keeps its labels apart on the server', () => {
  it('uploadSegmentations names each label over the whole volume', async () => {
    const [resource] = await api.uploadResources({ name: 'slice.png', data: grayPng(NX, NY) });
    if (!resource?.ok) throw new Error('upload failed');
    const ids = await api.uploadSegmentations(resource.id, maskPath);
    expect(ids).toHaveLength(NZ);
    expect(await stored(resource.id)).toEqual(LIVER_THEN_TUMOUR);
  });

  it('uploadResources with an unnamed segmentation file does the same', async () => {
    // The image is a NIfTI volume of the mask's size, as a CT would be.
    const image = writeNifti({ data: labels.map((_, i) => i & 255), shape: [NX, NY, NZ] });
    const [result] = await api.uploadResources([{ name: 'volume.nii', data: image }], {
      segmentationFiles: [{ files: [maskPath] }],
    });
    if (!result?.ok) throw new Error('upload failed');
    expect(result.segmentationIds).toHaveLength(NZ);
    expect(await stored(result.id)).toEqual(LIVER_THEN_TUMOUR);
  });

  it('a volume holding one label value is `seg` on every slice', async () => {
    const one = path.join(dir, 'one.nii');
    await writeFile(one, writeNifti({ data: labels.map((v) => (v ? 3 : 0)), shape: [NX, NY, NZ] }));
    const [resource] = await api.uploadResources({ name: 'one.png', data: grayPng(NX, NY, 9) });
    if (!resource?.ok) throw new Error('upload failed');
    await api.uploadSegmentations(resource.id, one);
    expect(await stored(resource.id)).toEqual([
      [0, 'seg'],
      [1, 'seg'],
      [2, 'seg'],
      [3, 'seg'],
    ]);
  });
});

describe.skipIf(!requireData())('the unnamed one-slice masks of a series', () => {
  it('are named together, so a label keeps one name on every slice of the assembled resource', async () => {
    const series = path.join(dataDir, 'dicom/series/pydicom_ct5n');
    const slices = (await readdir(series)).sort().map((f) => path.join(series, f));
    // A 16 x 16 mask per slice: label 1 on the first two slices, label 2 on the next two, none on the last.
    const slice = (value: number) => ({
      data: new Uint8Array(256).fill(value, 0, 20),
      shape: [16, 16] as const,
    });
    const masks = new Map(slices.slice(0, 4).map((s, i) => [s, slice(i < 2 ? 1 : 2)]));
    const results = await api.uploadResources(slices, { segmentationsBySource: (s) => masks.get(s) });
    const series0 = results[0];
    if (!series0?.ok) throw new Error('upload failed');
    const names = (await stored(series0.id)).map(([, name]) => name);
    // Which slice is which frame depends on the slices' positions; the names are what matters.
    expect(names.sort()).toEqual(['seg_1', 'seg_1', 'seg_2', 'seg_2']);

    // One label value on every slice's mask: `seg`, as before.
    const same = new Map(slices.slice(0, 3).map((s) => [s, slice(4)]));
    const [again] = await api.uploadResources(slices, { segmentationsBySource: (s) => same.get(s) });
    if (!again?.ok) throw new Error('upload failed');
    expect((await stored(again.id)).map(([, name]) => name)).toEqual(['seg', 'seg', 'seg']);
  });
});
