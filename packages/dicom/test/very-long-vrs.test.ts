// OV, SV and UV (64-bit values, added to the standard in 2019) have the long explicit VR header: two
// reserved bytes, then a 4-byte length. dicom-parser 1.8 reads a 2-byte length there; pydicom reads
// them right, so we must too, at the root and inside items of every kind of sequence.
import dcmjs from 'dcmjs';
import { describe, expect, it, vi } from 'vitest';
import { sliceHeaderTags } from '../src/assemble-plan';
import { concatBytes } from '../src/bytes';
import { type ElementEncoding, encodeElement } from '../src/encode';
import {
  assembleSeries,
  createAnonymizer,
  type DicomEdit,
  DicomParseError,
  DicomWriteError,
  decodeFrame,
  parseDicom,
  TransferSyntax,
  writeDicom,
} from '../src/index';
import { parseDicomWith } from '../src/parse';
import { TagKeys } from '../src/read-dataset';
import { scanSliceHeader } from '../src/slice-header';
import { read, requireData } from './data';

// parseDicomWith is what the anonymizer falls back to when its one-pass writer gives up; watching
// it tells the two paths apart.
vi.mock('../src/parse', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/parse')>();
  return { ...actual, parseDicomWith: vi.fn(actual.parseDicomWith) };
});

const META: ElementEncoding = { explicitVR: true, littleEndian: true };
const BIG = 2 ** 40 + 5;

function syntaxOf(enc: ElementEncoding): string {
  return enc.littleEndian ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ExplicitVRBigEndian;
}

function part10(transferSyntaxUID: string, body: Uint8Array): Uint8Array {
  const elements = [
    encodeElement(0x00020001, 'OB', new Uint8Array([0, 1]), META),
    encodeElement(0x00020002, 'UI', '1.2.840.10008.5.1.4.1.1.7', META),
    encodeElement(0x00020003, 'UI', '1.2.3.4.5', META),
    encodeElement(0x00020010, 'UI', transferSyntaxUID, META),
  ];
  const length = elements.reduce((s, e) => s + e.length, 0);
  const head = new Uint8Array(132);
  head.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concatBytes([head, encodeElement(0x00020000, 'UL', length, META), ...elements, body]);
}

/** 64-bit values in the encoding's byte order (what an OV value holds). */
function words64(values: number[], le: boolean): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  for (const [i, v] of values.entries()) view.setBigUint64(i * 8, BigInt(v), le);
  return out;
}

/** A sequence with a defined length holding one item with a defined length (the writer makes undefined ones). */
function definedLengthSequence(tag: number, item: Uint8Array, enc: ElementEncoding): Uint8Array {
  const out = new Uint8Array(12 + 8 + item.length);
  const view = new DataView(out.buffer);
  const le = enc.littleEndian;
  view.setUint16(0, tag >>> 16, le);
  view.setUint16(2, tag & 0xffff, le);
  out.set([0x53, 0x51], 4); // 'SQ'
  view.setUint32(8, 8 + item.length, le);
  view.setUint16(12, 0xfffe, le);
  view.setUint16(14, 0xe000, le);
  view.setUint32(16, item.length, le);
  out.set(item, 20);
  return out;
}

/**
 * A file with OV, SV and UV at the root, inside an undefined-length item and inside a
 * defined-length item; each is followed by elements that a misread length would swallow.
 */
function veryLongFile(enc: ElementEncoding): Uint8Array {
  const e = (tag: number, vr: string, value: Parameters<typeof encodeElement>[2]) =>
    encodeElement(tag, vr, value, enc);
  const itemOf = (offset: number, label: string) => [
    { tag: 0x0008040c, vr: 'UV', value: offset },
    { tag: 0x0008040b, vr: 'UR', value: label },
    { tag: 0x00720082, vr: 'SV', value: [-7, 9] },
  ];
  const definedItem = concatBytes([
    e(0x0008040b, 'UR', 'defined'),
    e(0x0008040c, 'UV', BIG),
    e(0x00720081, 'OV', words64([1, 2], enc.littleEndian)),
    e(0x00720082, 'SV', -3),
  ]);
  const body = concatBytes([
    e(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
    e(0x00080018, 'UI', '1.2.3.4.5'),
    e(0x0008041a, 'SQ', [itemOf(BIG, 'first'), itemOf(12, 'second')]),
    definedLengthSequence(0x00080420, definedItem, enc),
    e(0x00080428, 'UV', BIG),
    e(0x00080429, 'UV', [1, 2, 3]),
    e(0x00100010, 'PN', 'Doe^Jane'),
    e(0x00100020, 'LO', 'PID-0042'),
    e(0x0020000d, 'UI', '1.2.3.4'),
    e(0x00720081, 'OV', words64([BIG], enc.littleEndian)),
    e(0x00720082, 'SV', [-(2 ** 33), 4]),
    e(0x00720083, 'UV', 8),
    e(0x7fe00001, 'OV', words64([0, 6], enc.littleEndian)),
    e(0x7fe00003, 'UV', 4),
  ]);
  const syntax = enc.littleEndian
    ? TransferSyntax.ExplicitVRLittleEndian
    : TransferSyntax.ExplicitVRBigEndian;
  return part10(syntax, body);
}

describe('OV, SV and UV elements (explicit VR)', () => {
  for (const enc of [META, { explicitVR: true, littleEndian: false }]) {
    const order = enc.littleEndian ? 'little' : 'big';

    it(`reads them and every element after them at the root and in items, ${order} endian`, () => {
      const parsed = parseDicom(veryLongFile(enc), { fileName: 'very-long.dcm' });
      expect(parsed.warnings).toEqual([]);
      expect(parsed.number('TotalNumberOfStudyRecords')).toBe(BIG);
      expect(parsed.numbers(0x00080429)).toEqual([1, 2, 3]);
      expect(parsed.string('PatientName')).toBe('Doe^Jane');
      expect(parsed.string('PatientID')).toBe('PID-0042');
      expect(parsed.string('StudyInstanceUID')).toBe('1.2.3.4');
      expect(parsed.vr(0x00720081)).toBe('OV');
      expect(parsed.value(0x00720081)).toEqual(words64([BIG], enc.littleEndian));
      expect(parsed.numbers(0x00720082)).toEqual([-(2 ** 33), 4]);
      expect(parsed.number(0x00720083)).toBe(8);
      expect(parsed.value(0x7fe00001)).toEqual(words64([0, 6], enc.littleEndian));
      expect(parsed.number(0x7fe00003)).toBe(4);

      const undefinedItems = parsed.sequence(0x0008041a)!;
      expect(undefinedItems.map((item) => item.string(0x0008040b))).toEqual(['first', 'second']);
      expect(undefinedItems.map((item) => item.number(0x0008040c))).toEqual([BIG, 12]);
      expect(undefinedItems.map((item) => item.numbers(0x00720082))).toEqual([
        [-7, 9],
        [-7, 9],
      ]);
      const [definedItem] = parsed.sequence(0x00080420)!;
      expect(definedItem!.string(0x0008040b)).toBe('defined');
      expect(definedItem!.number(0x0008040c)).toBe(BIG);
      expect(definedItem!.value(0x00720081)).toEqual(words64([1, 2], enc.littleEndian));
      expect(definedItem!.number(0x00720082)).toBe(-3);
    });

    it(`anonymizes them in one pass exactly as the parse-plan-write path does, ${order} endian`, () => {
      const input = veryLongFile(enc);
      for (const profile of ['basic', 'datamint-sdk'] as const) {
        const anonymizer = createAnonymizer({ profile, key: 'very-long' });
        vi.mocked(parseDicomWith).mockClear();
        const onePass = anonymizer.anonymize(input, { fileName: 'very-long.dcm' });
        // The one-pass writer took the file: the anonymizer never fell back to parsing it.
        expect(parseDicomWith, profile).not.toHaveBeenCalled();
        const parsedPath = anonymizer.anonymizeParsed(parseDicom(input, { fileName: 'very-long.dcm' }));
        expect(Buffer.from(onePass).equals(Buffer.from(parsedPath)), profile).toBe(true);
        const out = parseDicom(onePass);
        expect(out.string('PatientName'), profile).not.toBe('Doe^Jane');
        expect(out.number('TotalNumberOfStudyRecords'), profile).toBe(BIG);
        expect(out.numbers(0x00720082), profile).toEqual([-(2 ** 33), 4]);
        expect(out.value(0x7fe00001), profile).toEqual(words64([0, 6], enc.littleEndian));
      }
    });
  }

  it('is read by the slice-header scanner itself, with what the general header parse gives', () => {
    const input = veryLongFile(META);
    const wanted = sliceHeaderTags(['StudyInstanceUID']);
    const mine = scanSliceHeader(input, 'very-long.dcm', new TagKeys(), wanted);
    const theirs = parseDicomWith(
      input,
      { fileName: 'very-long.dcm', headerOnly: true },
      new TagKeys(),
      new Set(wanted),
    );
    expect(mine).toBeDefined();
    expect(mine!.rootElements).toEqual(theirs.rootElements);
    expect(mine!.string('StudyInstanceUID')).toBe('1.2.3.4');
  });

  it('reads UV as dcmjs (an independent reader) does', () => {
    const enc = META;
    const input = part10(
      TransferSyntax.ExplicitVRLittleEndian,
      concatBytes([
        encodeElement(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7', enc),
        encodeElement(0x00080018, 'UI', '1.2.3.4.5', enc),
        encodeElement(0x00080428, 'UV', 77, enc),
        encodeElement(0x00080429, 'UV', [5, 6], enc),
        encodeElement(0x00100010, 'PN', 'Doe^Jane', enc),
      ]),
    );
    const dict = dcmjs.data.DicomMessage.readFile(input.slice().buffer as ArrayBuffer).dict;
    const ours = parseDicom(input);
    expect(dict['00080428']!.Value!.map(Number)).toEqual([ours.number(0x00080428)]);
    expect(dict['00080429']!.Value!.map(Number)).toEqual(ours.numbers(0x00080429));
    expect(dict['00100010']!.Value).toEqual([{ Alphabetic: ours.string('PatientName') }]);
  });

  for (const enc of [META, { explicitVR: true, littleEndian: false }]) {
    describe(`sequences cut short or overrunning their items, ${enc.littleEndian ? 'little' : 'big'} endian`, () => {
      const e = (tag: number, vr: string, value: Parameters<typeof encodeElement>[2]) =>
        encodeElement(tag, vr, value, enc);
      const file = (...body: Uint8Array[]) =>
        part10(
          syntaxOf(enc),
          concatBytes([
            e(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7'),
            e(0x00080018, 'UI', '1.2.3.4.5'),
            ...body,
          ]),
        );
      const sequence = e(0x0008041a, 'SQ', [[{ tag: 0x0008040c, vr: 'UV', value: BIG }]]);
      const sequenceDelimiter = 8;
      const itemDelimiter = 8;

      it('keeps what was read of a sequence whose delimitation item is missing, with a warning', () => {
        const parsed = parseDicom(file(sequence.subarray(0, -sequenceDelimiter)));
        expect(parsed.sequence(0x0008041a)![0]!.number(0x0008040c)).toBe(BIG);
        expect(parsed.warnings).toEqual([
          {
            code: 'parser',
            message:
              'eof encountered before finding sequence delimitation tag while reading sequence of undefined length',
          },
        ]);
      });

      it('keeps what was read of an item whose delimitation item is missing, with a warning', () => {
        const parsed = parseDicom(file(sequence.subarray(0, -sequenceDelimiter - itemDelimiter)));
        expect(parsed.sequence(0x0008041a)![0]!.number(0x0008040c)).toBe(BIG);
        expect(parsed.warnings.map((w) => [w.code, w.message])).toEqual([
          [
            'parser',
            'eof encountered before finding item delimiter tag while reading sequence item of undefined length',
          ],
          [
            'parser',
            'eof encountered before finding sequence delimitation tag while reading sequence of undefined length',
          ],
        ]);
      });

      it('refuses an item whose declared length runs past the end of the data', () => {
        const whole = definedLengthSequence(0x00080420, e(0x0008040c, 'UV', BIG), enc);
        const input = file(whole.subarray(0, -4));
        // The item's header starts after the sequence's 12-byte header.
        const itemAt = Buffer.from(input).indexOf(Buffer.from(whole.subarray(0, 12))) + 12;
        expect(() => parseDicom(input, { fileName: 'short-item.dcm' })).toThrow(
          new RegExp(`short-item\\.dcm.*item at ${itemAt} \\(20 bytes\\) extends past the end of the data`),
        );
      });

      it('refuses an element that runs past the end of its item', () => {
        // The item says 16 bytes; its UV element (12-byte header, 8-byte value) needs 20.
        const item = e(0x0008040c, 'UV', BIG);
        const whole = definedLengthSequence(0x00080420, item, enc);
        new DataView(whole.buffer, whole.byteOffset).setUint32(16, item.length - 4, enc.littleEndian);
        const input = file(whole, e(0x00100010, 'PN', 'Doe^Jane'));
        expect(() => parseDicom(input, { fileName: 'overrun.dcm' })).toThrow(
          /overrun\.dcm.*runs past the end of its item/,
        );
      });

      it('refuses, as a parse error naming the file, sequences nested deeper than the stack', () => {
        let nested: Uint8Array = e(0x0008040c, 'UV', BIG);
        const header = e(0x00080420, 'SQ', [[]]).subarray(0, 12 + 8);
        const tail = e(0x00080420, 'SQ', [[]]).subarray(12 + 8);
        const parts: Uint8Array[] = [];
        for (let depth = 0; depth < 20_000; depth++) parts.push(header);
        parts.push(nested);
        for (let depth = 0; depth < 20_000; depth++) parts.push(tail);
        nested = concatBytes(parts);
        expect(() => parseDicom(file(nested), { fileName: 'deep.dcm' })).toThrow(DicomParseError);
        expect(() => parseDicom(file(nested), { fileName: 'deep.dcm' })).toThrow(/deep\.dcm/);
      });

      it('anonymizes, in one pass or not, to a parse error naming the file when an OV runs past the end', () => {
        const input = file(
          e(0x00100010, 'PN', 'Doe^Jane'),
          e(0x7fe00001, 'OV', words64([0, 6], enc.littleEndian)),
        );
        const cut = input.subarray(0, input.length - 4);
        for (const profile of ['basic', 'datamint-sdk'] as const) {
          expect(() =>
            createAnonymizer({ profile, key: 'k' }).anonymize(cut, { fileName: 'cut-ov.dcm' }),
          ).toThrow(/cut-ov\.dcm/);
        }
      });
    });
  }

  it('is a DicomWriteError naming the tag when the datamint-sdk profile clears an SV element with text', () => {
    const enc = META;
    const input = part10(
      syntaxOf(enc),
      concatBytes([
        encodeElement(0x00080016, 'UI', '1.2.840.10008.5.1.4.1.1.7', enc),
        encodeElement(0x00080018, 'UI', '1.2.3.4.5', enc),
        // PatientName written with a wrong VR: the profile replaces it with its cleared text.
        encodeElement(0x00100010, 'SV', 5, enc),
      ]),
    );
    const anonymizer = createAnonymizer({ profile: 'datamint-sdk', key: 'k' });
    expect(() => anonymizer.anonymize(input)).toThrow(DicomWriteError);
    expect(() => anonymizer.anonymize(input)).toThrow(/0010,0010/);
  });

  it.skipIf(!requireData())(
    "leaves the slices' extended offset table out of an assembled series, uncompressed or JPEG-LS",
    async () => {
      const source = parseDicom(read('ts/MR_small.dcm'));
      const stale: DicomEdit[] = [
        { tag: 0x7fe00001, action: 'set', vr: 'OV', value: words64([0], true) },
        { tag: 0x7fe00002, action: 'set', vr: 'OV', value: words64([8192], true) },
        { tag: 0x7fe00003, action: 'set', vr: 'UV', value: 8192 },
      ];
      const slices = [1, 2, 3].map((z, k) => ({
        name: `slice-${k}`,
        bytes: writeDicom(source, [
          ...stale,
          { tag: 'ImagePositionPatient', action: 'set', value: ['0', '0', String(z)] },
          { tag: 'ImageOrientationPatient', action: 'set', value: ['1', '0', '0', '0', '1', '0'] },
          { tag: 'SOPInstanceUID', action: 'set', value: `2.25.${1000 + k}` },
        ]),
      }));
      expect(parseDicom(slices[0]!.bytes).has(0x7fe00001)).toBe(true);
      for (const compression of ['none', 'jpeg-ls'] as const) {
        const { outputs, unassembled } = await assembleSeries(slices, { compression });
        expect(unassembled, compression).toEqual([]);
        const out = parseDicom(outputs[0]!.bytes);
        expect(
          [0x7fe00001, 0x7fe00002, 0x7fe00003].map((tag) => out.has(tag)),
          compression,
        ).toEqual([false, false, false]);
        expect(out.numberOfFrames, compression).toBe(3);
        expect((await decodeFrame(out, 2)).pixels.byteLength, compression).toBe(8192);
      }
    },
  );

  it('still types a truncated OV value as a parse error naming the file', () => {
    const input = veryLongFile(META);
    const ov = new Uint8Array([0x72, 0x00, 0x81, 0x00, 0x4f, 0x56]);
    const at = Buffer.from(input).indexOf(Buffer.from(ov));
    expect(at).toBeGreaterThan(0);
    expect(() => parseDicom(input.subarray(0, at + 14), { fileName: 'cut.dcm' })).toThrow(/cut\.dcm/);
  });
});
