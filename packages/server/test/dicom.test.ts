import { readFile } from 'node:fs/promises';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDicom } from './support/dicom';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';
import { dataPath, hasSharedData } from './support/shared-data';

async function frame(server: TestServer, id: string, index: number) {
  const reply = await send(`${server.url}/resources/${id}/frames/${index}`, {
    headers: { accept: 'image/png' },
  });
  return { reply, image: reply.status === 200 ? decode(reply.bytes) : undefined };
}

describe('DICOM metadata and frame rendering (generated files)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('reads modality, size, frames and UIDs on upload, and detects DICOM sent as octet-stream', async () => {
    const bytes = makeDicom({
      rows: 4,
      columns: 3,
      frames: 3,
      pixel: (f, i) => f * 100 + i,
      modality: 'MR',
      studyUid: '1.2.826.0.1.1',
      seriesUid: '1.2.826.0.1.2',
      sopUid: '1.2.826.0.1.3',
    });
    const id = await uploadOk(server.url, { bytes, filename: 'series.dcm' });
    const r = (await send(`${server.url}/resources/${id}`)).json;
    expect(r).toMatchObject({
      mimetype: 'application/dicom',
      storage: 'DicomResource',
      modality: 'MR',
      rows: 4,
      columns: 3,
      number_of_frames: 3,
      study_uid: '1.2.826.0.1.1',
      series_uid: '1.2.826.0.1.2',
      instance_uid: '1.2.826.0.1.3',
      transfer_syntax_uid: '1.2.840.10008.1.2.1',
    });
    // An explicit modality field wins over the file's tag.
    const other = await uploadOk(server.url, {
      bytes,
      filename: 's.dcm',
      mimetype: 'application/dicom',
      fields: { modality: 'CT' },
    });
    expect((await send(`${server.url}/resources/${other}`)).json.modality).toBe('CT');
    const filtered = await send(`${server.url}/resources?modality=MR&mimetype=application%2Fdicom`);
    expect(filtered.json.data[0].resources.map((x: { id: string }) => x.id)).toEqual([id]);
  });

  it('renders a frame through the file window (PS3.3 linear VOI)', async () => {
    const bytes = makeDicom({
      rows: 2,
      columns: 4,
      frames: 3,
      pixel: (f, i) => (f === 1 ? [0, 50, 100, 150, 200, 250, 300, 1000][i] : 7),
      window: { center: 150, width: 201 },
    });
    const id = await uploadOk(server.url, { bytes, filename: 'w.dcm', mimetype: 'application/dicom' });
    const { reply, image } = await frame(server, id, 1);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('image/png');
    expect([image!.width, image!.height, image!.channels, image!.depth]).toEqual([4, 2, 1, 8]);
    const expected = [0, 50, 100, 150, 200, 250, 300, 1000].map((v) => {
      const c = 150;
      const w = 201;
      if (v <= c - 0.5 - (w - 1) / 2) return 0;
      if (v > c - 0.5 + (w - 1) / 2) return 255;
      return Math.round(((v - (c - 0.5)) / (w - 1) + 0.5) * 255);
    });
    expect(Array.from(image!.data)).toEqual(expected);
    expect(expected).toEqual([0, 1, 64, 128, 192, 255, 255, 255]);
  });

  it('scales min..max to 0..255 without a window (signed 16-bit), and renders 8-bit data', async () => {
    const signed = makeDicom({
      rows: 1,
      columns: 5,
      frames: 1,
      signed: true,
      pixel: (_f, i) => [-1000, -500, 0, 500, 1000][i],
    });
    const id = await uploadOk(server.url, {
      bytes: signed,
      filename: 's.dcm',
      mimetype: 'application/dicom',
    });
    expect(Array.from((await frame(server, id, 0)).image!.data)).toEqual([0, 64, 128, 191, 255]);
    const eight = makeDicom({
      rows: 1,
      columns: 3,
      frames: 2,
      bits: 8,
      pixel: (f, i) => (f ? [10, 20, 30][i] : 0),
    });
    const id8 = await uploadOk(server.url, {
      bytes: eight,
      filename: 'e.dcm',
      mimetype: 'application/dicom',
    });
    expect(Array.from((await frame(server, id8, 1)).image!.data)).toEqual([0, 128, 255]);
    const mono1 = makeDicom({
      rows: 1,
      columns: 2,
      frames: 1,
      bits: 8,
      photometric: 'MONOCHROME1',
      pixel: (_f, i) => i * 9,
    });
    const idm = await uploadOk(server.url, {
      bytes: mono1,
      filename: 'm.dcm',
      mimetype: 'application/dicom',
    });
    expect(Array.from((await frame(server, idm, 0)).image!.data)).toEqual([255, 0]);
  });

  it('answers 400 for frames past the end and 501 for unreadable DICOM', async () => {
    const bytes = makeDicom({ rows: 2, columns: 2, frames: 3, pixel: () => 1 });
    const id = await uploadOk(server.url, { bytes, filename: 'x.dcm', mimetype: 'application/dicom' });
    const { reply } = await frame(server, id, 3);
    expect(reply.status).toBe(400);
    expect(reply.json.message).toBe('Frame index out of range: 3 (the resource has 3 frames)');
    const broken = new Uint8Array(200);
    broken.set([0x44, 0x49, 0x43, 0x4d], 128);
    const bad = await uploadOk(server.url, {
      bytes: broken,
      filename: 'broken.dcm',
      mimetype: 'application/dicom',
    });
    const stored = (await send(`${server.url}/resources/${bad}`)).json;
    expect(stored).toMatchObject({ storage: 'DicomResource', rows: null, number_of_frames: null });
    const out = await frame(server, bad, 0);
    expect(out.reply.status).toBe(501);
    expect(out.reply.json.message).toMatch(/^cannot render/);
  });
});

describe.skipIf(!hasSharedData())('DICOM rendering of real files (../shared/data)', () => {
  let server: TestServer;
  const ids = new Map<string, string>();
  const files = [
    'dicom/ts/MR_small.dcm',
    'dicom/ts/MR_small_implicit.dcm',
    'dicom/ts/MR_small_bigendian.dcm',
    'dicom/ts/image_dfl.dcm',
    'dicom/ts/ExplVR_BigEnd.dcm',
    'dicom/ts/SC_rgb_jpeg_dcmtk.dcm',
    'dicom/ts/MR_small_RLE.dcm',
    'dicom/ts/MR_small_jp2klossless.dcm',
    'dicom/ts/SC_rgb_rle.dcm',
    'dicom/multiframe/CT0012.not_fragmented_bot_rle.dcm',
    'dicom/multiframe/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm',
    'dicom/multiframe/emri_small.dcm',
    'dicom/multiframe/rtdose.dcm',
    'dicom/multiframe/CT0012.explicit_little_endian.dcm',
  ];
  beforeAll(async () => {
    server = await startTestServer();
    for (const f of files) {
      const bytes = new Uint8Array(await readFile(dataPath(f)));
      ids.set(
        f,
        await uploadOk(server.url, { bytes, filename: f.split('/').pop()!, mimetype: 'application/dicom' }),
      );
    }
  });
  afterAll(() => server.dispose());

  it('extracts metadata of MR_small and renders identical pixels from three transfer syntaxes', async () => {
    const meta = (await send(`${server.url}/resources/${ids.get('dicom/ts/MR_small.dcm')}`)).json;
    expect(meta).toMatchObject({ modality: 'MR', rows: 64, columns: 64, number_of_frames: 1 });
    expect(meta.instance_uid).toBe('1.3.6.1.4.1.5962.1.1.4.1.1.20040826185059.5457');
    const renders = await Promise.all(
      ['dicom/ts/MR_small.dcm', 'dicom/ts/MR_small_implicit.dcm', 'dicom/ts/MR_small_bigendian.dcm'].map(
        async (f) => (await frame(server, ids.get(f)!, 0)).image!,
      ),
    );
    expect([renders[0].width, renders[0].height, renders[0].channels]).toEqual([64, 64, 1]);
    expect(new Set(renders[0].data).size).toBeGreaterThan(50);
    expect(Array.from(renders[1].data)).toEqual(Array.from(renders[0].data));
    expect(Array.from(renders[2].data)).toEqual(Array.from(renders[0].data));
  });

  it('renders deflated, RGB big-endian, 32-bit and enhanced multi-frame files', async () => {
    const dfl = await frame(server, ids.get('dicom/ts/image_dfl.dcm')!, 0);
    expect([dfl.image!.width, dfl.image!.height]).toEqual([512, 512]);
    const rgb = await frame(server, ids.get('dicom/ts/ExplVR_BigEnd.dcm')!, 0);
    const rgbMeta = (await send(`${server.url}/resources/${ids.get('dicom/ts/ExplVR_BigEnd.dcm')}`)).json;
    expect([rgbMeta.rows, rgbMeta.columns]).toEqual([60, 80]);
    expect([rgb.image!.width, rgb.image!.height, rgb.image!.channels]).toEqual([80, 60, 3]);
    // An ultrasound image is colourful: the three channels are not all equal.
    const d = rgb.image!.data;
    expect(d.some((_v, i) => i % 3 === 0 && (d[i] !== d[i + 1] || d[i] !== d[i + 2]))).toBe(true);
    const dose = await frame(server, ids.get('dicom/multiframe/rtdose.dcm')!, 14);
    expect(dose.reply.status).toBe(200);
    expect(
      (await send(`${server.url}/resources/${ids.get('dicom/multiframe/rtdose.dcm')}`)).json.number_of_frames,
    ).toBe(15);
    const emri = ids.get('dicom/multiframe/emri_small.dcm')!;
    expect((await frame(server, emri, 9)).image!.width).toBe(64);
    expect((await frame(server, emri, 10)).reply.status).toBe(400);
    const ct = await frame(server, ids.get('dicom/multiframe/CT0012.explicit_little_endian.dcm')!, 1);
    expect([ct.image!.width, ct.image!.height]).toEqual([512, 512]);
    expect(new Set(ct.image!.data).size).toBeGreaterThan(10);
  });

  it('decodes RLE Lossless to exactly the pixels of the uncompressed original (single and multi-frame)', async () => {
    const plain = (await frame(server, ids.get('dicom/ts/MR_small.dcm')!, 0)).image!;
    const rle = (await frame(server, ids.get('dicom/ts/MR_small_RLE.dcm')!, 0)).image!;
    expect(Array.from(rle.data)).toEqual(Array.from(plain.data));
    for (const index of [0, 1]) {
      const native = (
        await frame(server, ids.get('dicom/multiframe/CT0012.explicit_little_endian.dcm')!, index)
      ).image!;
      const packed = (
        await frame(server, ids.get('dicom/multiframe/CT0012.not_fragmented_bot_rle.dcm')!, index)
      ).image!;
      expect(Buffer.compare(Buffer.from(packed.data), Buffer.from(native.data)), `frame ${index}`).toBe(0);
    }
    const rgb = (await frame(server, ids.get('dicom/ts/SC_rgb_rle.dcm')!, 0)).image!;
    expect([rgb.width, rgb.height, rgb.channels]).toEqual([100, 100, 3]);
    // pydicom's SC_rgb test image: the top rows are pure red.
    expect(Array.from(rgb.data.subarray(0, 3))).toEqual([255, 0, 0]);
  });

  it('decodes 8-bit JPEG Baseline frames (colour, multi-frame, fragmented)', async () => {
    const sc = (await frame(server, ids.get('dicom/ts/SC_rgb_jpeg_dcmtk.dcm')!, 0)).image!;
    expect([sc.width, sc.height, sc.channels]).toEqual([100, 100, 3]);
    const [r, g, b] = sc.data;
    expect(r).toBeGreaterThan(200);
    expect(g).toBeLessThan(60);
    expect(b).toBeLessThan(60);
    const us = ids.get('dicom/multiframe/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm')!;
    const last = (await frame(server, us, 7)).image!;
    expect([last.width, last.height, last.channels]).toEqual([320, 240, 3]);
    expect((await frame(server, us, 8)).reply.status).toBe(400);
  });

  it('answers 501 naming file, frame and transfer syntax for a compression without a decoder', async () => {
    // JPEG 2000 Part 2 multi-component: a real UID of the same length, no decoder for it.
    const bytes = new Uint8Array(await readFile(dataPath('dicom/ts/MR_small_jp2klossless.dcm')));
    const at = Buffer.from(bytes).indexOf('1.2.840.10008.1.2.4.90');
    bytes.set(new TextEncoder().encode('1.2.840.10008.1.2.4.92'), at);
    const id = await uploadOk(server.url, { bytes, filename: 'part2.dcm', mimetype: 'application/dicom' });
    const { reply } = await frame(server, id, 0);
    expect(reply.status).toBe(501);
    expect(reply.json.message).toMatch(
      /^cannot render: file part2\.dcm, frame 0: no decoder for this transfer syntax.*\(transfer syntax 1\.2\.840\.10008\.1\.2\.4\.92\)$/,
    );
    const meta = (await send(`${server.url}/resources/${id}`)).json;
    expect(meta).toMatchObject({ rows: 64, columns: 64, transfer_syntax_uid: '1.2.840.10008.1.2.4.92' });
  });
});
