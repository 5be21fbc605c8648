import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseDicom } from '@datamint/dicom';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startTestServer, type TestServer, uploadOk } from './support/server';
import { dataPath, hasSharedData } from './support/shared-data';

/** Frames of these files are rendered and compared with the frame of the same image stored natively. */
const SAME_IMAGE: Record<string, string> = {
  'dicom/ts/MR_small_implicit.dcm': 'dicom/ts/MR_small.dcm',
  'dicom/ts/MR_small_bigendian.dcm': 'dicom/ts/MR_small.dcm',
  'dicom/ts/MR_small_RLE.dcm': 'dicom/ts/MR_small.dcm',
  'dicom/ts/MR_small_jpeg_ls_lossless.dcm': 'dicom/ts/MR_small.dcm',
  'dicom/ts/MR_small_jp2klossless.dcm': 'dicom/ts/MR_small.dcm',
  'dicom/ts/SC_rgb_jpeg_gdcm.dcm': 'dicom/ts/SC_rgb_rle.dcm',
  'dicom/multiframe/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm':
    'dicom/multiframe/CT0012.explicit_little_endian.dcm',
};

describe.skipIf(!hasSharedData())('frames of every transfer syntax in ../shared/data/dicom/ts', () => {
  let server: TestServer;
  const ids = new Map<string, string>();
  const tsFiles = hasSharedData()
    ? readdirSync(dataPath('dicom/ts'))
        .sort()
        .map((f) => `dicom/ts/${f}`)
    : [];
  const files = [...new Set([...tsFiles, ...Object.keys(SAME_IMAGE), ...Object.values(SAME_IMAGE)])];

  beforeAll(async () => {
    server = await startTestServer();
    for (const f of files) {
      const bytes = new Uint8Array(await readFile(dataPath(f)));
      const filename = f.split('/').pop() as string;
      ids.set(f, await uploadOk(server.url, { bytes, filename, mimetype: 'application/dicom' }));
    }
  });
  afterAll(() => server.dispose());

  async function render(file: string, index = 0) {
    const reply = await send(`${server.url}/resources/${ids.get(file)}/frames/${index}`, {
      headers: { accept: 'image/png' },
    });
    return { reply, image: reply.status === 200 ? decode(reply.bytes) : undefined };
  }

  for (const file of tsFiles) {
    it(`renders frame 0 of ${file} as a PNG of its size`, async () => {
      const parsed = parseDicom(new Uint8Array(await readFile(dataPath(file))));
      const { reply, image } = await render(file);
      if (!parsed.has('PixelData')) {
        expect(reply.status).toBe(501);
        expect(reply.json.message).toContain('no pixel data');
        return;
      }
      expect(reply.status, reply.text).toBe(200);
      expect(reply.headers['content-type']).toBe('image/png');
      expect([image?.width, image?.height]).toEqual([parsed.number('Columns'), parsed.number('Rows')]);
      expect(image?.channels).toBe(parsed.number('SamplesPerPixel') === 3 ? 3 : 1);
      expect(new Set(image?.data).size).toBeGreaterThan(2);
    });
  }

  for (const [file, native] of Object.entries(SAME_IMAGE)) {
    it(`renders ${file} with exactly the pixels of ${native}`, async () => {
      const frames = parseDicom(new Uint8Array(await readFile(dataPath(native)))).numberOfFrames;
      for (let i = 0; i < frames; i++) {
        const a = (await render(file, i)).image;
        const b = (await render(native, i)).image;
        expect(a?.data, `frame ${i}`).toEqual(b?.data);
      }
    });
  }

  it('answers 501 (never 500) for a JPEG-LS frame whose bitstream is cut short', async () => {
    const bytes = new Uint8Array(await readFile(dataPath('dicom/ts/MR_small_jpeg_ls_lossless.dcm')));
    const fragment = parseDicom(bytes).pixelData?.fragments?.[0];
    if (!fragment) throw new Error('MR_small_jpeg_ls_lossless.dcm has no fragment');
    // Overwrite the end of the bitstream (EOI marker included) with zeros.
    bytes.fill(0, fragment.position + fragment.length - 16, fragment.position + fragment.length);
    const id = await uploadOk(server.url, { bytes, filename: 'cut.dcm', mimetype: 'application/dicom' });
    const reply = await send(`${server.url}/resources/${id}/frames/0`);
    expect(reply.status).toBe(501);
    expect(reply.json.message).toMatch(/^cannot render: file cut\.dcm, frame 0: .*truncated/);
  });
});
