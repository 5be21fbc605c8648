import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetSchema, resourceSchema } from '../src/schemas/entities';
import { makeDicom } from './support/dicom';
import { expectEntity } from './support/entities';
import { grayPng } from './support/images';
import { KEY_B, send, startTestServer, type TestServer, uploadOk } from './support/server';
import { readZip } from './support/zip';

describe('current platform API: datasets and archive downloads', () => {
  let server: TestServer;
  let dataset: string;
  let dicomId: string;
  let pngId: string;
  const dicom = makeDicom({ rows: 2, columns: 3, frames: 2, bits: 8, pixel: (f, i) => f * 100 + i * 10 });

  async function download(format: string, key?: string) {
    const token = await send(`${server.url}/datasets/${dataset}/download/${format}`, { key });
    expect(token.status).toBe(200);
    expect(typeof token.json).toBe('string');
    const archive = await send(`${server.url}/datasets/download/${token.json}`, { key });
    expect(archive.status).toBe(200);
    expect(archive.headers['content-type']).toBe('application/zip');
    return readZip(archive.bytes);
  }

  beforeAll(async () => {
    server = await startTestServer();
    dicomId = await uploadOk(server.url, { bytes: dicom, filename: 'ct', mimetype: 'application/dicom' });
    pngId = await uploadOk(server.url, { bytes: grayPng(4, 2), filename: 'k.png', mimetype: 'image/png' });
    const project = (
      await send(`${server.url}/projects`, {
        method: 'POST',
        json: { name: 'DS', resource_ids: [dicomId, pngId] },
      })
    ).json;
    dataset = project.dataset_id;
  });
  afterAll(() => server.dispose());

  it('gets the dataset and its resources; adds and removes resources', async () => {
    const got = await send(`${server.url}/datasets/${dataset}`);
    expectEntity(got.json, datasetSchema);
    const resources = await send(`${server.url}/datasets/${dataset}/resources?version=1`);
    expectEntity(resources.json, { type: 'array', items: resourceSchema });
    expect(resources.json.map((r: { id: string }) => r.id)).toEqual([dicomId, pngId]);
    const extra = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'x.png',
      mimetype: 'image/png',
    });
    await send(`${server.url}/datasets/${dataset}/resources`, {
      method: 'POST',
      json: { all_files_selected: false, resource_ids_to_add: [extra] },
    });
    expect((await send(`${server.url}/datasets/${dataset}`)).json.resource_ids).toEqual([
      dicomId,
      pngId,
      extra,
    ]);
    await send(`${server.url}/datasets/${dataset}/resources`, {
      method: 'POST',
      json: { all_files_selected: false, resource_ids_to_delete: [extra] },
    });
    expect((await send(`${server.url}/datasets/${dataset}`)).json.resource_ids).toEqual([dicomId, pngId]);
    const conflict = await send(`${server.url}/datasets/${dataset}`, { method: 'DELETE' });
    expect(conflict.status).toBe(409);
    expect(conflict.json.message).toContain("project 'DS'");
  });

  it('dicom: the original files, byte for byte, and a manifest', async () => {
    const zip = await download('dicom');
    expect(Buffer.compare(zip.get(`${dicomId}/ct.dcm`)!, Buffer.from(dicom))).toBe(0);
    expect(Buffer.compare(zip.get(`${pngId}/k.png`)!, Buffer.from(grayPng(4, 2)))).toBe(0);
    const manifest = JSON.parse(zip.get('manifest.json')!.toString('utf8'));
    expect(manifest).toMatchObject({ id: dataset, format: 'dicom' });
    expect(manifest.resources.map((r: { id: string }) => r.id)).toEqual([dicomId, pngId]);
  });

  it('png, jpg and tiff: one image per frame with the rendered pixels', async () => {
    const png = await download('png');
    const frame1 = decodePng(png.get(`${dicomId}/ct_1.png`)!);
    expect([frame1.width, frame1.height]).toEqual([3, 2]);
    const rendered = decodePng((await send(`${server.url}/resources/${dicomId}/frames/1`)).bytes);
    expect(Array.from(frame1.data)).toEqual(Array.from(rendered.data));
    expect(png.has(`${dicomId}/ct_0.png`)).toBe(true);
    expect(png.has(`${pngId}/k_0.png`)).toBe(true);
    const jpg = await download('jpg');
    const decoded = jpeg.decode(jpg.get(`${dicomId}/ct_0.jpg`)!);
    expect([decoded.width, decoded.height]).toEqual([3, 2]);
    const tiff = await download('tiff');
    const t = tiff.get(`${pngId}/k_0.tiff`)!;
    expect(t.subarray(0, 4)).toEqual(Buffer.from([0x49, 0x49, 42, 0]));
    // Uncompressed strip right after the header: the PNG's gray values.
    expect(Array.from(t.subarray(8, 16))).toEqual(Array.from(decodePng(grayPng(4, 2)).data));
  });

  it('npy and nifti: one array/volume per resource (frames x rows x columns)', async () => {
    const npy = (await download('npy')).get(`${dicomId}/ct.npy`)!;
    expect(npy.subarray(0, 6).toString('latin1')).toBe('\u0093NUMPY');
    const headerLength = npy.readUInt16LE(8);
    expect(npy.subarray(10, 10 + headerLength).toString('latin1')).toContain("'shape': (2, 2, 3)");
    expect((10 + headerLength) % 64).toBe(0);
    expect(npy.length - 10 - headerLength).toBe(12);
    const nii = (await download('nifti')).get(`${dicomId}/ct.nii`)!;
    expect(nii.readInt32LE(0)).toBe(348);
    expect([nii.readInt16LE(42), nii.readInt16LE(44), nii.readInt16LE(46)]).toEqual([3, 2, 2]);
    expect(nii.length).toBe(352 + 12);
    expect(Array.from(nii.subarray(352 + 6, 352 + 12))).toEqual(
      Array.from(npy.subarray(10 + headerLength + 6)),
    );
  });

  it('refuses unknown formats, foreign datasets and foreign or unknown tokens', async () => {
    const bad = await send(`${server.url}/datasets/${dataset}/download/gif`);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('format must be one of dicom, png, jpg, tiff, npy, nifti');
    expect((await send(`${server.url}/datasets/${dataset}/download/png`, { key: KEY_B })).status).toBe(404);
    const token = (await send(`${server.url}/datasets/${dataset}/download/png`)).json;
    const foreign = await send(`${server.url}/datasets/download/${token}`, { key: KEY_B });
    expect(foreign.status).toBe(404);
    expect(foreign.json.message).toContain('Download not found');
    expect((await send(`${server.url}/datasets/download/nope`)).status).toBe(404);
  });
});
