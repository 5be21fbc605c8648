import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNifti } from './support/nifti';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';
import { dataPath, hasSharedData } from './support/shared-data';

async function slice(server: TestServer, id: string, index: number) {
  const reply = await send(`${server.url}/resources/${id}/frames/${index}`);
  return { reply, image: reply.status === 200 ? decode(reply.bytes) : undefined };
}

describe('NIfTI metadata and slices (generated volumes)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('reads the shape of .nii and .nii.gz uploads and renders slices on the volume scale', async () => {
    // 3 columns x 2 rows x 2 slices; voxel value = its index.
    const nii = makeNifti([3, 2, 2], (i) => i * 10);
    const plain = await uploadOk(server.url, {
      bytes: nii,
      filename: 'vol.nii',
      mimetype: 'application/x-nifti',
    });
    const gz = await uploadOk(server.url, { bytes: gzipSync(nii), filename: 'vol.nii.gz' });
    for (const id of [plain, gz]) {
      const r = (await send(`${server.url}/resources/${id}`)).json;
      expect(r).toMatchObject({ storage: 'NiftiResource', rows: 2, columns: 3, number_of_frames: 2 });
    }
    expect((await send(`${server.url}/resources/${gz}`)).json.mimetype).toBe('application/x-nifti');
    const second = await slice(server, gz, 1);
    expect([second.image!.width, second.image!.height]).toEqual([3, 2]);
    // Values 60..110 of a 0..110 volume.
    expect(Array.from(second.image!.data)).toEqual(
      [60, 70, 80, 90, 100, 110].map((v) => Math.round((v / 110) * 255)),
    );
    expect(Array.from((await slice(server, plain, 1)).image!.data)).toEqual(Array.from(second.image!.data));
    const out = await slice(server, gz, 2);
    expect(out.reply.status).toBe(400);
    expect(out.reply.json.message).toBe('Frame index out of range: 2 (the resource has 2 frames)');
  });

  it('applies scl_slope/scl_inter and answers 501 for unreadable NIfTI', async () => {
    const scaled = makeNifti([2, 1, 1], (i) => i, { slope: -1, inter: 5 });
    const id = await uploadOk(server.url, { bytes: scaled, filename: 's.nii' });
    // Values 5 and 4: the first voxel is the maximum.
    expect(Array.from((await slice(server, id, 0)).image!.data)).toEqual([255, 0]);
    const junk = await uploadOk(server.url, { bytes: gzipSync(Buffer.alloc(400)), filename: 'junk.nii.gz' });
    expect((await send(`${server.url}/resources/${junk}`)).json).toMatchObject({
      storage: 'NiftiResource',
      rows: null,
    });
    const reply = (await slice(server, junk, 0)).reply;
    expect(reply.status).toBe(501);
    expect(reply.json.message).toBe(
      'cannot render: the stored file is not a single-file NIfTI-1/NIfTI-2 volume',
    );
  });
});

describe.skipIf(!hasSharedData())('NIfTI slices of real files (../shared/data)', () => {
  let server: TestServer;
  const ids = new Map<string, string>();
  beforeAll(async () => {
    server = await startTestServer();
    for (const f of [
      'nifti/avg152T1_LR_nifti.nii',
      'nifti/avg152T1_LR_nifti.nii.gz',
      'nifti/avg152T1_LR_nifti2.nii.gz',
      'nifti/little.nii.gz',
      'nifti/big.nii.gz',
      'nifti/functional.nii',
    ]) {
      const bytes = new Uint8Array(await readFile(dataPath(f)));
      ids.set(f, await uploadOk(server.url, { bytes, filename: f.split('/').pop()! }));
    }
  });
  afterAll(() => server.dispose());

  it('reads shapes of big- and little-endian, NIfTI-1 and NIfTI-2 and 4-D files', async () => {
    const meta = async (f: string) => (await send(`${server.url}/resources/${ids.get(f)}`)).json;
    expect(await meta('nifti/avg152T1_LR_nifti.nii')).toMatchObject({
      columns: 91,
      rows: 109,
      number_of_frames: 91,
    });
    expect(await meta('nifti/avg152T1_LR_nifti2.nii.gz')).toMatchObject({
      columns: 91,
      rows: 109,
      number_of_frames: 91,
    });
    expect(await meta('nifti/little.nii.gz')).toMatchObject({ columns: 64, rows: 64, number_of_frames: 21 });
    expect(await meta('nifti/functional.nii')).toMatchObject({ columns: 17, rows: 21, number_of_frames: 60 });
  });

  it('renders identical slices from the same volume in different encodings', async () => {
    const pixels = async (f: string, k: number) =>
      Array.from((await slice(server, ids.get(f)!, k)).image!.data);
    const mid = await pixels('nifti/avg152T1_LR_nifti.nii', 45);
    expect(new Set(mid).size).toBeGreaterThan(50);
    expect(await pixels('nifti/avg152T1_LR_nifti.nii.gz', 45)).toEqual(mid);
    expect(await pixels('nifti/avg152T1_LR_nifti2.nii.gz', 45)).toEqual(mid);
    expect(await pixels('nifti/big.nii.gz', 10)).toEqual(await pixels('nifti/little.nii.gz', 10));
    expect((await slice(server, ids.get('nifti/functional.nii')!, 59)).reply.status).toBe(200);
  });
});
