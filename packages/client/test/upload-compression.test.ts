import { decodeFrame, type ParsedDicom, TransferSyntax } from '@datamint/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIHandler } from '../src';
import { dataDir, requireData } from './helpers/data';
import { startTestServer, type TestServer } from './helpers/server';

const hasData = requireData();
const seriesDir = `${dataDir}/dicom/series/pydicom_ct5n`;

let server: TestServer;
let api: APIHandler;
beforeAll(async () => {
  server = await startTestServer();
  api = server.api();
});
afterAll(async () => server?.close());

async function uploadSeries(channel: string, options: Parameters<APIHandler['uploadResources']>[1]) {
  const results = await api.uploadResources(seriesDir, { channel, ...options });
  const first = results[0];
  if (!first?.ok) throw new Error(`upload failed: ${JSON.stringify(first)}`);
  expect(first.assembledFrom).toBe(results.length);
  const downloaded = await api.downloadResourceFile(first.id);
  if (downloaded.converted.kind !== 'dicom') throw new Error('expected DICOM');
  return { id: first.id, dicom: downloaded.converted.dicom };
}

async function pixelsOf(dicom: ParsedDicom): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let k = 0; k < dicom.numberOfFrames; k++) {
    const { pixels } = await decodeFrame(dicom, k);
    out.push(Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength));
  }
  return out;
}

describe.skipIf(!hasData)("uploadResources({ compression: 'jpeg-ls' })", () => {
  it('sends assembled series uncompressed by default, as the Python SDK 1.4.1 does', async () => {
    const { dicom } = await uploadSeries('plain', {});
    expect(dicom.transferSyntaxUID).toBe(TransferSyntax.ExplicitVRLittleEndian);
  });

  it('sends an assembled, anonymized series as JPEG-LS Lossless with the same pixels', async () => {
    const plain = await uploadSeries('plain-anon', { anonymize: true });
    const packed = await uploadSeries('jpeg-ls', { anonymize: true, compression: 'jpeg-ls' });
    expect(packed.dicom.transferSyntaxUID).toBe(TransferSyntax.JPEGLSLossless);
    expect(packed.dicom.numberOfFrames).toBe(plain.dicom.numberOfFrames);
    expect(await pixelsOf(packed.dicom)).toEqual(await pixelsOf(plain.dicom));
    // The server reads what it stored: metadata and a rendered frame.
    const resource = await api.getResourcesByIds(packed.id);
    expect(resource).toMatchObject({ number_of_frames: plain.dicom.numberOfFrames });
    const last = plain.dicom.numberOfFrames - 1;
    const [a, b] = await Promise.all([
      api.downloadResourceFrame(packed.id, last),
      api.downloadResourceFrame(plain.id, last),
    ]);
    expect(a.image).toEqual(b.image);
  });
});
