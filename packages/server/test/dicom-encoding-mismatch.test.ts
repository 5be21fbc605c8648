import { readdir, readFile } from 'node:fs/promises';
import { assembleSeries, encodeElement, parseDicom, TransferSyntax } from '@datamint/dicom';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';
import { dataPath, hasSharedData } from './support/shared-data';

/**
 * What the Python SDK 1.4.1 uploads for an assembled series: its file meta says Implicit VR Little
 * Endian while the data set stays Explicit VR. Made here by overwriting the TransferSyntaxUID value
 * in place (NUL-padded to the same length, as UI values may be).
 */
function declareImplicit(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const el = parseDicom(out).meta?.element('TransferSyntaxUID');
  if (!el) throw new Error('no TransferSyntaxUID in the file meta');
  const uid = new TextEncoder().encode(TransferSyntax.ImplicitVRLittleEndian);
  out.fill(0, el.dataOffset, el.dataOffset + el.length);
  out.set(uid, el.dataOffset);
  return out;
}

const META = { explicitVR: true, littleEndian: true };

/** The data set of `source` under a rebuilt file meta declaring `transferSyntaxUID` (or none). */
function redeclared(source: Uint8Array, transferSyntaxUID: string | undefined): Uint8Array {
  const parsed = parseDicom(source);
  const elements = [
    encodeElement(0x00020002, 'UI', parsed.string('SOPClassUID') ?? '', META),
    encodeElement(0x00020003, 'UI', parsed.string('SOPInstanceUID') ?? '', META),
    ...(transferSyntaxUID ? [encodeElement(0x00020010, 'UI', transferSyntaxUID, META)] : []),
  ];
  const body = source.subarray(parsed.dataSetStart);
  const length = elements.reduce((n, e) => n + e.length, 0);
  const head = new Uint8Array(132);
  head.set(new TextEncoder().encode('DICM'), 128);
  const parts = [head, encodeElement(0x00020000, 'UL', length, META), ...elements, body];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe.runIf(hasSharedData())('DICOM whose file meta disagrees with its data set', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('renders every frame of a Python-SDK-style assembled series like the well-formed file', async () => {
    const dir = dataPath('dicom/series/pydicom_ct5n');
    const slices = await Promise.all(
      (await readdir(dir)).sort().map(async (name) => ({
        name,
        bytes: new Uint8Array(await readFile(`${dir}/${name}`)),
      })),
    );
    const { outputs } = await assembleSeries(slices);
    expect(outputs).toHaveLength(1);
    const wellFormed = outputs[0].bytes;
    const python = declareImplicit(wellFormed);
    expect(parseDicom(python).warnings.map((w) => w.code)).toContain('transfer-syntax-mismatch');

    const good = await uploadOk(server.url, {
      bytes: wellFormed,
      filename: 'ours.dcm',
      mimetype: 'application/dicom',
    });
    const id = await uploadOk(server.url, {
      bytes: python,
      filename: 'CT_ser1',
      mimetype: 'application/dicom',
    });
    const stored = (await send(`${server.url}/resources/${id}`)).json;
    expect(stored).toMatchObject({ modality: 'CT', rows: 16, columns: 16, number_of_frames: 5 });
    for (let index = 0; index < 5; index++) {
      const reply = await send(`${server.url}/resources/${id}/frames/${index}`, {
        headers: { accept: 'image/png' },
      });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toMatch(/^image\/png/);
      const reference = await send(`${server.url}/resources/${good}/frames/${index}`, {
        headers: { accept: 'image/png' },
      });
      const image = decode(reply.bytes);
      expect(image.width).toBe(16);
      expect(Array.from(image.data)).toEqual(Array.from(decode(reference.bytes).data));
    }
  });

  it('renders every other kind of mismatch like the well-formed source', async () => {
    const implicit = new Uint8Array(await readFile(dataPath('dicom/ts/MR_small_implicit.dcm')));
    const bigEndian = new Uint8Array(await readFile(dataPath('dicom/ts/MR_small_bigendian.dcm')));
    const reference = await uploadOk(server.url, { bytes: implicit, filename: 'MR_small_implicit.dcm' });
    const crafted: [string, Uint8Array][] = [
      ['declared explicit, implicit data', redeclared(implicit, TransferSyntax.ExplicitVRLittleEndian)],
      [
        'declared little endian, big endian data',
        redeclared(bigEndian, TransferSyntax.ExplicitVRLittleEndian),
      ],
      ['big endian without file meta', bigEndian.subarray(parseDicom(bigEndian).dataSetStart)],
      ['file meta without TransferSyntaxUID', redeclared(implicit, undefined)],
      ['no preamble', implicit.subarray(132)],
    ];
    const expected = decode((await frame(server, reference)).bytes).data;
    for (const [kind, bytes] of crafted) {
      expect(parseDicom(bytes).warnings.length, kind).toBeGreaterThan(0);
      const id = await uploadOk(server.url, {
        bytes,
        filename: `${kind}.dcm`,
        mimetype: 'application/dicom',
      });
      const stored = (await send(`${server.url}/resources/${id}`)).json;
      expect(stored, kind).toMatchObject({ modality: 'MR', rows: 64, columns: 64, number_of_frames: 1 });
      const reply = await frame(server, id);
      expect(reply.status, kind).toBe(200);
      expect(Array.from(decode(reply.bytes).data), kind).toEqual(Array.from(expected));
    }
  });
});

function frame(server: TestServer, id: string) {
  return send(`${server.url}/resources/${id}/frames/0`, { headers: { accept: 'image/png' } });
}
