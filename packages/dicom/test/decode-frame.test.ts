import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DECODABLE_TRANSFER_SYNTAXES,
  type DecodedFrame,
  DicomDecodeError,
  decodeFrame,
  type ParsedDicom,
  parseDicom,
  TransferSyntax,
  writeDicom,
} from '../src/index';
import { DICOM_DIR, hasData, read, requireData } from './data';

function parse(rel: string): ParsedDicom {
  return parseDicom(read(rel), { fileName: rel });
}

async function frames(p: ParsedDicom): Promise<DecodedFrame[]> {
  return Promise.all(Array.from({ length: p.numberOfFrames }, (_, i) => decodeFrame(p, i)));
}

/** Rebuilds a single-fragment encapsulated file with `fragment` in place of its frame. */
function withFragment(p: ParsedDicom, fragment: Uint8Array): Uint8Array {
  const fr = p.pixelData?.fragments;
  if (fr?.length !== 1) throw new Error('test helper needs one fragment');
  const even = fragment.length % 2 === 0 ? fragment : Uint8Array.from([...fragment, 0]);
  const head = p.input.subarray(0, fr[0].position - 4);
  const out = new Uint8Array(head.length + 4 + even.length + 8);
  out.set(head);
  new DataView(out.buffer).setUint32(head.length, even.length, true);
  out.set(even, head.length + 4);
  out.set([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0], head.length + 4 + even.length);
  return out;
}

const tsFiles = hasData ? readdirSync(join(DICOM_DIR, 'ts')).sort() : [];
/** 12-bit DCT JPEG (JPEG Extended process 4): no maintained decoder for it among our codecs. */
const TWELVE_BIT_DCT = 'ts/JPGExtended.dcm';

describe('decodeFrame over every transfer syntax in the shared data', () => {
  it('has the data', () => {
    requireData();
  });

  for (const file of tsFiles) {
    const rel = `ts/${file}`;
    if (rel === TWELVE_BIT_DCT) continue;
    it(`decodes ${rel} to Rows x Columns x Samples values`, async () => {
      const p = parse(rel);
      if (!p.has('PixelData')) return;
      const d = await decodeFrame(p, 0);
      expect(d.pixels.length).toBe(d.rows * d.columns * d.samplesPerPixel);
      expect(d.rows).toBe(p.number('Rows'));
      expect(d.transferSyntaxUID).toBe(p.transferSyntaxUID);
      expect(DECODABLE_TRANSFER_SYNTAXES).toContain(p.transferSyntaxUID);
      // A real image is not flat.
      expect(new Set(d.pixels).size).toBeGreaterThan(2);
    });
  }

  it('refuses 12-bit DCT JPEG with a typed error naming file and frame', async () => {
    if (!requireData()) return;
    const err = await decodeFrame(parse(TWELVE_BIT_DCT), 0).catch((e) => e);
    expect(err).toBeInstanceOf(DicomDecodeError);
    expect(err.message).toContain('JPGExtended.dcm');
    expect(err.frame).toBe(0);
    expect(err.message).toContain('12-bit');
  });

  it('gives the native pixels for every lossless encoding of MR_small', async () => {
    if (!requireData()) return;
    const reference = await decodeFrame(parse('ts/MR_small.dcm'), 0);
    expect(reference.pixels).toBeInstanceOf(Int16Array);
    for (const name of [
      'MR_small_implicit',
      'MR_small_bigendian',
      'MR_small_RLE',
      'MR_small_jpeg_ls_lossless',
      'MR_small_jp2klossless',
    ]) {
      const d = await decodeFrame(parse(`ts/${name}.dcm`), 0);
      expect(d.pixels, name).toEqual(reference.pixels);
    }
  });

  it('gives the same RGB pixels from RLE, JPEG Lossless and big endian native', async () => {
    if (!requireData()) return;
    const rle = await decodeFrame(parse('ts/SC_rgb_rle.dcm'), 0);
    const lossless = await decodeFrame(parse('ts/SC_rgb_jpeg_gdcm.dcm'), 0);
    expect(rle.photometricInterpretation).toBe('RGB');
    expect(lossless.pixels).toEqual(rle.pixels);
    // JPEG baseline of the same picture is lossy: close, not equal.
    const baseline = await decodeFrame(parse('ts/SC_rgb_jpeg_dcmtk.dcm'), 0);
    expect(baseline.photometricInterpretation).toBe('RGB');
    let diff = 0;
    for (let i = 0; i < rle.pixels.length; i++) diff += Math.abs(baseline.pixels[i] - rle.pixels[i]);
    expect(diff / rle.pixels.length).toBeLessThan(2);
  });

  it('gives the native frames of the multi-frame CT from RLE and fragmented JPEG Lossless', async () => {
    if (!requireData()) return;
    const native = await frames(parse('multiframe/CT0012.explicit_little_endian.dcm'));
    expect(native).toHaveLength(2);
    for (const rel of [
      'multiframe/CT0012.not_fragmented_bot_rle.dcm',
      'multiframe/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm',
    ]) {
      const decoded = await frames(parse(rel));
      expect(
        decoded.map((d) => d.pixels),
        rel,
      ).toEqual(native.map((d) => d.pixels));
    }
  });

  it('decodes every frame of a fragmented JPEG baseline cine and of a 2-frame RGB RLE', async () => {
    if (!requireData()) return;
    const cine = await frames(parse('multiframe/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm'));
    expect(cine).toHaveLength(8);
    expect(cine[0].pixels.length).toBe(240 * 320 * 3);
    const rle = await frames(parse('multiframe/SC_rgb_rle_2frame.dcm'));
    expect(rle[1].pixels.length).toBe(100 * 100 * 3);
  });

  it('sign-extends signed samples stored in fewer bits than allocated', async () => {
    if (!requireData()) return;
    const p = parse('ts/MR_small.dcm');
    // -3 in 12 bits is 0x0FFD; the bits above BitsStored are left zero, as some writers do.
    const frame = new Uint8Array(p.frame(0));
    frame[0] = 0xfd;
    frame[1] = 0x0f;
    const twelve = parseDicom(
      writeDicom(p, [
        { tag: 'BitsStored', action: 'set', value: 12 },
        { tag: 'HighBit', action: 'set', value: 11 },
        { tag: 'PixelData', action: 'set', vr: 'OW', value: frame },
      ]),
    );
    const d = await decodeFrame(twelve, 0);
    expect(d.pixels[0]).toBe(-3);
  });
});

describe('decodeFrame on bad input', () => {
  const compressed = [
    'ts/MR_small_jpeg_ls_lossless.dcm',
    'ts/MR_small_jp2klossless.dcm',
    'ts/SC_rgb_jpeg_gdcm.dcm',
    'ts/SC_rgb_jpeg_dcmtk.dcm',
    'ts/MR_small_RLE.dcm',
  ];

  for (const rel of compressed) {
    it(`refuses a truncated frame of ${rel}`, async () => {
      if (!requireData()) return;
      const p = parse(rel);
      const frame = p.frame(0);
      for (const keep of [frame.length - 40, Math.floor(frame.length / 2), 70]) {
        const cut = parseDicom(withFragment(p, frame.slice(0, keep)), { fileName: 'cut.dcm' });
        const err = await decodeFrame(cut, 0).catch((e) => e);
        expect(err, `${rel} cut at ${keep}`).toBeInstanceOf(DicomDecodeError);
        expect(err.message).toContain('cut.dcm');
        expect(err.message).toContain('frame 0');
      }
    });

    it(`never throws anything but DicomDecodeError on corrupt frames of ${rel}`, async () => {
      if (!requireData()) return;
      const p = parse(rel);
      const frame = p.frame(0);
      let seed = 7;
      for (let round = 0; round < 20; round++) {
        const bad = frame.slice();
        for (let k = 0; k < 8; k++) {
          seed = (seed * 1103515245 + 12345) % 2 ** 31;
          bad[seed % bad.length] ^= 1 << (seed % 8);
        }
        const q = parseDicom(withFragment(p, bad), { fileName: 'corrupt.dcm' });
        try {
          const d = await decodeFrame(q, 0);
          expect(d.pixels.length).toBe(d.rows * d.columns * d.samplesPerPixel);
        } catch (e) {
          expect(e).toBeInstanceOf(DicomDecodeError);
        }
      }
    });
  }

  it('refuses a bitstream whose size disagrees with Rows/Columns before decoding', async () => {
    if (!requireData()) return;
    const p = parse('ts/MR_small_jpeg_ls_lossless.dcm');
    const lying = writeDicom(p, [{ tag: 'Rows', action: 'set', value: 65535 }]);
    const err = await decodeFrame(parseDicom(lying, { fileName: 'lying.dcm' }), 0).catch((e) => e);
    expect(err).toBeInstanceOf(DicomDecodeError);
    expect(err.message).toMatch(/bitstream is 64x64 .* the DICOM header says 64x65535/);
  });

  it('refuses files above the megapixel limit before decoding', async () => {
    if (!requireData()) return;
    const p = parse('ts/CT1_UNC.not_fragmented_bot_jpeg_ls.80.dcm');
    const err = await decodeFrame(p, 0, { maxMegapixels: 0.25 }).catch((e) => e);
    expect(err).toBeInstanceOf(DicomDecodeError);
    expect(err.message).toContain('above the limit of 0.25');
    await expect(decodeFrame(p, 0, { maxMegapixels: 0.3 })).resolves.toBeTruthy();
  });

  it('names a transfer syntax without a decoder, a missing frame and missing pixel data', async () => {
    if (!requireData()) return;
    const bytes = read('ts/MR_small_jpeg_ls_lossless.dcm');
    const text = new TextDecoder('latin1').decode(bytes);
    const at = text.indexOf(TransferSyntax.JPEGLSLossless);
    const other = bytes.slice();
    other.set(new TextEncoder().encode('1.2.840.10008.1.2.4.92'), at);
    const p = parseDicom(other, { fileName: 'part2.dcm' });
    const err = await decodeFrame(p, 0).catch((e) => e);
    expect(err).toBeInstanceOf(DicomDecodeError);
    expect(err.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.92');
    expect(err.message).toContain('no decoder');

    const missing = await decodeFrame(parse('ts/MR_small.dcm'), 1).catch((e) => e);
    expect(missing).toBeInstanceOf(DicomDecodeError);
    expect(missing.message).toContain('frame 1 does not exist');

    const report = await decodeFrame(parse('ts/report_dfl.dcm'), 0).catch((e) => e);
    expect(report).toBeInstanceOf(DicomDecodeError);
    expect(report.message).toContain('no PixelData');
  });

  it('reports a native frame cut short by the end of the file', async () => {
    if (!requireData()) return;
    const bytes = read('broken/MR_truncated.dcm');
    let p: ParsedDicom;
    try {
      p = parseDicom(bytes, { fileName: 'MR_truncated.dcm', headerOnly: true });
    } catch {
      return;
    }
    const err = await decodeFrame(p, 0).catch((e) => e);
    expect(err).toBeInstanceOf(DicomDecodeError);
  });
});
