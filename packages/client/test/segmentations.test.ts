import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decode } from 'fast-png';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type APIHandler, SegmentationError } from '../src';
import { decodeNifti } from '../src/decode';
import { dataDir, requireData } from './helpers/data';
import { grayPng, maskPng } from './helpers/images';
import { API_KEY, startTestServer, type TestServer } from './helpers/server';

let server: TestServer;
let api: APIHandler;
let resourceId: string;

beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
  const [r] = await api.uploadResources({ name: 'a.png', data: grayPng(4, 5) });
  if (!r?.ok) throw new Error('upload failed');
  resourceId = r.id;
});
afterAll(async () => server?.close());

/** The mask PNG the server stored for an annotation, decoded. */
async function maskOf(annotationId: string) {
  const res = await request(`${server.url}/annotations/${resourceId}/annotations/${annotationId}/file`, {
    headers: { apikey: API_KEY },
  });
  expect(res.statusCode).toBe(200);
  return decode(new Uint8Array(await res.body.arrayBuffer()));
}

describe('uploadSegmentations', () => {
  it('from an array: names per label value, frames mapped, binary RGB masks', async () => {
    // shape [H=5, W=4, F=2] (the resource is 4 x 5), row-major with frames last.
    const H = 5;
    const W = 4;
    const F = 2;
    const label = (y: number, x: number, f: number) => (f === 0 ? (x < 2 ? 1 : 2) : y === 1 ? 2 : 0);
    const data = new Uint8Array(H * W * F);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) for (let f = 0; f < F; f++) data[(y * W + x) * F + f] = label(y, x, f);
    const ids = await api.uploadSegmentations(
      resourceId,
      { data, shape: [H, W, F] },
      {
        name: { 1: 'Femur', 2: 'Tibia' },
        frameIndex: [5, 7],
        importedFrom: 'unit',
      },
    );
    expect(ids).toHaveLength(3);
    const annotations = await api.getAnnotations({ resourceId, annotationType: 'segmentation' }).toArray();
    const got = ids.map((id) => annotations.find((a) => a.id === id));
    expect(got.map((a) => [a?.name, a?.index, a?.scope])).toEqual([
      ['Femur', 5, 'frame'],
      ['Tibia', 5, 'frame'],
      ['Tibia', 7, 'frame'],
    ]);
    expect(got[0]?.imported_from).toBe('unit');
    const tibia7 = await maskOf(ids[2]!);
    expect([tibia7.width, tibia7.height, tibia7.channels]).toEqual([W, H, 3]);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) expect(tibia7.data[(y * W + x) * 3]).toBe(label(y, x, 1) === 2 ? 255 : 0);
    }
  });

  it('from a PNG mask: one label keeps the plain name', async () => {
    const png = maskPng(4, 5, (x, y) => (x === y ? 3 : 0));
    const [id] = await api.uploadSegmentations(resourceId, png, { name: 'Diagonal' });
    const annotation = (await api.getAnnotations({ resourceId }).toArray()).find((a) => a.id === id);
    expect(annotation).toMatchObject({ name: 'Diagonal', index: 0 });
    const mask = await maskOf(id!);
    expect(mask.data[(2 * 4 + 2) * 3]).toBe(255);
    expect(mask.data[(2 * 4 + 1) * 3]).toBe(0);
  });

  it.skipIf(!requireData())(
    'from a real NIfTI file: every non-empty slice becomes a frame annotation',
    async () => {
      const file = `${dataDir}/nifti/standard.nii.gz`;
      const volume = decodeNifti(new Uint8Array(readFileSync(file)), file);
      const [I, J, K] = volume.shape as [number, number, number];
      const nonEmpty = Array.from({ length: K }, (_, k) => k).filter((k) =>
        volume.data.subarray(k * I * J, (k + 1) * I * J).some((v) => v !== 0),
      );
      const ids = await api.uploadSegmentations(resourceId, file, { name: 'Blob', worklistId: undefined });
      expect(ids).toHaveLength(nonEmpty.length);
      const annotations = await api.getAnnotations({ resourceId }).toArray();
      expect(ids.map((id) => annotations.find((a) => a.id === id)?.index)).toEqual(nonEmpty);
      const k = nonEmpty[0]!;
      const mask = await maskOf(ids[0]!);
      // Voxel (i, j, k) lands on column i, row j (Python default for NIfTI).
      expect([mask.width, mask.height]).toEqual([I, J]);
      for (let j = 0; j < J; j++) {
        for (let i = 0; i < I; i++) {
          expect(mask.data[(j * I + i) * 3]).toBe(volume.data[k * I * J + j * I + i] !== 0 ? 255 : 0);
        }
      }
    },
  );

  it('transposeSegmentation swaps rows and columns of arrays; empty frames are skipped either way', async () => {
    // shape [H=4, W=5]: transposed it covers the 4 x 5 resource.
    const data = new Uint8Array(4 * 5);
    data[1 * 5 + 3] = 1; // row 1, column 3 -> after transposition: column 1, row 3
    const [id] = await api.uploadSegmentations(
      resourceId,
      { data, shape: [4, 5] },
      {
        name: 'Dot',
        transposeSegmentation: true,
      },
    );
    const mask = await maskOf(id!);
    expect([mask.width, mask.height]).toEqual([4, 5]);
    const on = [...Array(20).keys()].filter((i) => mask.data[i * 3] === 255);
    expect(on).toEqual([3 * 4 + 1]);
    const empty = await api.uploadSegmentations(
      resourceId,
      { data: new Uint8Array(4 * 5 * 2), shape: [5, 4, 2] },
      { discardEmptySegmentations: false },
    );
    expect(empty).toEqual([]);
  });

  it('from a PNG path and from NIfTI bytes; a name map with a default; one frame index', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'dm-seg-'));
    const file = path.join(dir, 'labels.png');
    // Values 1 (left column), 2 (top row, except the corner) and 5 (bottom-right pixel).
    await writeFile(
      file,
      maskPng(4, 5, (x, y) => (x === 0 ? 1 : y === 0 ? 2 : x === 3 && y === 4 ? 5 : 0)),
    );
    const ids = await api.uploadSegmentations(resourceId, file, {
      name: { 1: 'Femur', 2: 'Tibia', default: 'other' },
      frameIndex: 3,
    });
    const annotations = await api.getAnnotations({ resourceId }).toArray();
    expect(ids.map((id) => annotations.find((a) => a.id === id)).map((a) => [a?.name, a?.index])).toEqual([
      ['Femur', 3],
      ['Tibia', 3],
      ['other_5', 3],
    ]);
    const other = await maskOf(ids[2]!);
    const on = [...Array(20).keys()].filter((i) => other.data[i * 3] === 255);
    expect(on).toEqual([4 * 4 + 3]);
    await expect(
      api.uploadSegmentations(resourceId, file, { name: { 1: 'Femur', 2: 'Tibia' } }),
    ).rejects.toThrow(/label 5 has no entry in names/);
    const misaligned = await api
      .uploadSegmentations(resourceId, file, { frameIndex: [0, 1] })
      .catch((e: unknown) => e);
    expect(misaligned).toBeInstanceOf(SegmentationError);
    expect((misaligned as Error).message).toMatch(/frameIndex has 2 entries but the mask has 1 frame/);
  });

  it.skipIf(!requireData())('NIfTI bytes give the same annotations as the NIfTI path', async () => {
    const file = `${dataDir}/nifti/standard.nii.gz`;
    const fromPath = await api.uploadSegmentations(resourceId, file, { name: 'FromPath' });
    const fromBytes = await api.uploadSegmentations(resourceId, new Uint8Array(readFileSync(file)), {
      name: 'FromBytes',
    });
    expect(fromBytes).toHaveLength(fromPath.length);
    const annotations = await api.getAnnotations({ resourceId }).toArray();
    const indexes = (ids: string[]) => ids.map((id) => annotations.find((a) => a.id === id)?.index);
    expect(indexes(fromBytes)).toEqual(indexes(fromPath));
    for (let i = 0; i < fromPath.length; i++) {
      expect(Buffer.from((await maskOf(fromBytes[i]!)).data)).toEqual(
        Buffer.from((await maskOf(fromPath[i]!)).data),
      );
    }
  });

  it('rejects bad masks and options with typed errors', async () => {
    await expect(api.uploadSegmentations(resourceId, new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(
      SegmentationError,
    );
    await expect(
      api.uploadSegmentations(resourceId, { data: new Uint8Array(5), shape: [2, 2] }),
    ).rejects.toThrow(/shape/);
    await expect(api.uploadSegmentations(resourceId, '/no/such/mask.png')).rejects.toThrow(/mask\.png/);
    await expect(
      api.uploadSegmentations(
        '00000000-0000-0000-0000-000000000000',
        maskPng(2, 2, () => 1),
      ),
    ).rejects.toMatchObject({ resourceType: 'resource' });
  });
});
