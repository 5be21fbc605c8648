import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { niftiPixelToPatient } from '@datamint/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';
import { dataPath, hasSharedData } from './support/shared-data';

/** srow_x/y/z of a NIfTI-1 header, read here straight from the bytes (the test's own oracle). */
async function srowOf(file: string): Promise<number[][]> {
  let bytes = new Uint8Array(await readFile(dataPath(file)));
  if (file.endsWith('.gz')) bytes = new Uint8Array(gunzipSync(bytes));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = view.getInt32(0, true) === 348;
  return [280, 296, 312].map((o) => [0, 1, 2, 3].map((i) => view.getFloat32(o + i * 4, little)));
}

describe.skipIf(!hasSharedData())('NIfTI resources carry their header geometry in metadata', () => {
  let server: TestServer;
  const ids = new Map<string, string>();
  const metadata = async (f: string) =>
    (await send(`${server.url}/resources/${ids.get(f)}`)).json.metadata as Record<string, unknown>;

  beforeAll(async () => {
    server = await startTestServer();
    for (const f of [
      'nifti/avg152T1_LR_nifti.nii',
      'nifti/avg152T1_LR_nifti2.nii.gz',
      'nifti/little.nii.gz',
      'nifti/big.nii.gz',
    ]) {
      const bytes = new Uint8Array(await readFile(dataPath(f)));
      ids.set(f, await uploadOk(server.url, { bytes, filename: f.split('/').pop()! }));
    }
  });
  afterAll(() => server.dispose());

  it('sform (code 4): the srow rows, the same from NIfTI-1 big-endian and NIfTI-2', async () => {
    const n1 = await metadata('nifti/avg152T1_LR_nifti.nii');
    expect(n1).toMatchObject({ dims: [3, 91, 109, 91], sformCode: 4, qformCode: 0, datatype: 2 });
    expect(n1.affine).toEqual([...(await srowOf('nifti/avg152T1_LR_nifti.nii')), [0, 0, 0, 1]]);
    const n2 = await metadata('nifti/avg152T1_LR_nifti2.nii.gz');
    expect(n2.affine).toEqual(n1.affine);
    expect(n2.dims).toEqual(n1.dims);
  });

  it('qform (code 1): rotation × voxel sizes, the same in either byte order; usable to place points', async () => {
    const little = await metadata('nifti/little.nii.gz');
    const big = await metadata('nifti/big.nii.gz');
    expect(little).toMatchObject({ qformCode: 1, sformCode: 0, dims: [4, 64, 64, 21, 1] });
    expect(big.affine).toEqual(little.affine);
    const affine = little.affine as number[][];
    const sizes = [0, 1, 2].map((j) => Math.hypot(affine[0]![j]!, affine[1]![j]!, affine[2]![j]!));
    sizes.forEach((s, j) => {
      expect(s).toBeCloseTo([4, 4, 6][j]!, 5);
    });
    // What a client does with it: pixel (1, 2) of slice 3 in patient (LPS) millimetres.
    const p = niftiPixelToPatient({ dims: little.dims as number[], affine }, { x: 1, y: 2 }, 3);
    const world = [0, 1, 2].map(
      (i) => affine[i]![0]! * 1 + affine[i]![1]! * 2 + affine[i]![2]! * 3 + affine[i]![3]!,
    );
    expect([...p]).toEqual([-world[0]!, -world[1]!, world[2]!]);
  });

  it('keys the uploader sent win over the header', async () => {
    const bytes = new Uint8Array(await readFile(dataPath('nifti/little.nii.gz')));
    const id = await uploadOk(server.url, {
      bytes,
      filename: 'little.nii.gz',
      fields: { metadata: JSON.stringify({ affine: 'mine', note: 'x' }) },
    });
    const m = (await send(`${server.url}/resources/${id}`)).json.metadata;
    expect(m).toMatchObject({ affine: 'mine', note: 'x', dims: [4, 64, 64, 21, 1] });
  });
});
