import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeJpegDct } from '../src/codecs/decode-jpeg-12bit';
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

describe('decodeFrame over every transfer syntax in the shared data', () => {
  it('has the data', () => {
    requireData();
  });

  for (const file of tsFiles) {
    const rel = `ts/${file}`;
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

  it('decodes 12-bit JPEG Extended to the image its JPEG 2000 version holds', async () => {
    if (!requireData()) return;
    // NEMA NM1 twice, lossy both times: JPEG Extended 12-bit and JPEG 2000.
    const a = (await decodeFrame(parse('ts/JPGExtended.dcm'), 0)).pixels;
    const b = (await decodeFrame(parse('ts/JPEG2000.dcm'), 0)).pixels;
    expect(a).toBeInstanceOf(Uint16Array);
    const corr = (shift: number) => {
      let n = 0,
        sa = 0,
        sb = 0,
        saa = 0,
        sbb = 0,
        sab = 0;
      for (let i = 0; i + shift < a.length; i++) {
        const x = a[i + shift],
          y = b[i];
        n++;
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
      }
      return (
        (sab / n - (sa / n) * (sb / n)) / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2))
      );
    };
    expect(corr(0)).toBeGreaterThan(0.95);
    // Aligned, not merely similar: any shift of 8 rows correlates less.
    expect(corr(0)).toBeGreaterThan(corr(8 * 1024) + 0.02);
  });

  it('decodes sequential DCT JPEG as libjpeg-turbo does (within IDCT rounding)', async () => {
    const factory = (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/wasmjs'))
      .default as unknown as () => Promise<{
      JPEGEncoder: new () => {
        getDecodedBuffer(i: object): Uint8Array;
        setProgressive(p: boolean): void;
        setQuality(lossless: boolean, q: number): void;
        encode(): void;
        getEncodedBuffer(): Uint8Array;
        delete(): void;
      };
      JPEGDecoder: new () => {
        getEncodedBuffer(n: number): Uint8Array;
        decode(): void;
        getDecodedBuffer(): Uint8Array;
        delete(): void;
      };
    }>;
    const turbo = await factory();
    for (const [w, h] of [
      [61, 45],
      [64, 64],
      [200, 13],
    ] as const) {
      const image = new Uint8Array(w * h).map((_, i) => (Math.sin(i / 7) * 60 + (i % w) * 2 + 40) & 255);
      const e = new turbo.JPEGEncoder();
      e.getDecodedBuffer({ width: w, height: h, bitsPerSample: 8, componentCount: 1, isSigned: false }).set(
        image,
      );
      e.setProgressive(false);
      e.setQuality(false, 90);
      e.encode();
      const jpeg = e.getEncodedBuffer().slice();
      e.delete();
      const d = new turbo.JPEGDecoder();
      d.getEncodedBuffer(jpeg.length).set(jpeg);
      d.decode();
      const reference = d.getDecodedBuffer().slice();
      d.delete();
      const layout = {
        rows: h,
        columns: w,
        samplesPerPixel: 1,
        bitsAllocated: 16,
        bitsStored: 8,
        signed: false,
        planar: false,
        photometricInterpretation: 'MONOCHROME2',
      };
      const ours = new Uint16Array(decodeJpegDct(jpeg, layout).buffer);
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[i]));
      expect(worst, `${w}x${h}`).toBeLessThanOrEqual(1);
      // A truncated scan is an error, not a partial image.
      expect(() => decodeJpegDct(jpeg.slice(0, jpeg.length - 60), layout)).toThrow(/ends early|Huffman/);
    }
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

  for (const rel of ['ts/MR_small_jpeg_ls_lossless.dcm', 'ts/MR_small_jp2klossless.dcm']) {
    it(`refuses a huge declared Rows x Columns of ${rel} under the default limit, before decoding`, async () => {
      if (!requireData()) return;
      const p = parse(rel);
      // 65535 x 65535 is 4295 megapixels: a decoder trusting it would allocate gigabytes.
      const huge = writeDicom(p, [
        { tag: 'Rows', action: 'set', value: 65535 },
        { tag: 'Columns', action: 'set', value: 65535 },
      ]);
      const err = await decodeFrame(parseDicom(huge, { fileName: 'huge.dcm' }), 0).catch((e) => e);
      expect(err).toBeInstanceOf(DicomDecodeError);
      expect(err.message).toContain('huge.dcm');
      expect(err.message).toContain('frame 0');
      expect(err.message).toContain('65535x65535x1 frames is 4294.8 megapixels, above the limit of 512');
    });
  }

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
