import dcmjs from 'dcmjs';
import { describe, expect, it } from 'vitest';
import {
  DicomWriteError,
  IMPLEMENTATION_CLASS_UID,
  IMPLEMENTATION_VERSION_NAME,
  type ParsedDicom,
  parseDicom,
  TransferSyntax,
  writeDicom,
} from '../src/index';
import { dicomFiles, read, requireData } from './data';

const SKIP = (rel: string) => rel.startsWith('broken/') || rel.endsWith('.nrrd');

function dcmjsRead(bytes: Uint8Array) {
  const copy = bytes.slice();
  return dcmjs.data.DicomMessage.readFile(copy.buffer as ArrayBuffer, { ignoreErrors: false });
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.compare(
      Buffer.from(a.buffer, a.byteOffset, a.length),
      Buffer.from(b.buffer, b.byteOffset, b.length),
    ) === 0
  );
}

function samePixels(a: ParsedDicom, b: ParsedDicom): boolean {
  if (a.numberOfFrames !== b.numberOfFrames) return false;
  for (let i = 0; i < a.numberOfFrames; i++) if (!same(a.frame(i), b.frame(i))) return false;
  return true;
}

describe('writeDicom without edits round-trips every shared file', () => {
  for (const { rel } of dicomFiles().filter((f) => !SKIP(f.rel))) {
    it(rel, () => {
      const input = read(rel);
      const parsed = parseDicom(input, { fileName: rel });
      const out = writeDicom(parsed);
      const again = parseDicom(out, { fileName: `${rel} (written)` });
      expect(again.transferSyntaxUID).toBe(parsed.transferSyntaxUID);
      expect(again.keys()).toEqual(parsed.keys());
      for (const key of parsed.keys()) {
        if (key === 'x7fe00010') continue;
        expect(again.string(key), key).toEqual(parsed.string(key));
      }
      expect(samePixels(again, parsed)).toBe(true);
      // Rebuilt file meta: group length counts every meta byte after its own 12-byte element.
      expect(again.hasPreamble).toBe(true);
      expect(again.meta?.number('FileMetaInformationGroupLength')).toBe(again.dataSetStart - 132 - 12);
      expect(again.meta?.string('TransferSyntaxUID')).toBe(parsed.transferSyntaxUID);
      expect(again.meta?.string('ImplementationClassUID')).toBe(IMPLEMENTATION_CLASS_UID);
      expect(again.meta?.string('ImplementationVersionName')).toBe(IMPLEMENTATION_VERSION_NAME);
      expect(again.meta?.string('MediaStorageSOPInstanceUID')).toBe(
        parsed.string('SOPInstanceUID') ?? parsed.meta?.string('MediaStorageSOPInstanceUID') ?? '',
      );
      if (!parsed.transferSyntax.deflated && parsed.hasPreamble) {
        // The data set after the meta group is copied verbatim.
        expect(
          same(
            out.subarray(out.length - (input.length - parsed.dataSetStart)),
            input.subarray(parsed.dataSetStart),
          ),
        ).toBe(true);
      }
    });
  }
});

describe('writeDicom edits', () => {
  it('replaces, deletes and inserts top-level elements in every native transfer syntax', () => {
    if (!requireData()) return;
    for (const rel of [
      'ts/MR_small.dcm',
      'ts/MR_small_implicit.dcm',
      'ts/MR_small_bigendian.dcm',
      'ts/MR_small_RLE.dcm',
    ]) {
      const parsed = parseDicom(read(rel));
      const out = writeDicom(parsed, [
        { tag: 'PatientName', action: 'set', value: 'Edited^Name' },
        { tag: 'PatientID', action: 'delete' },
        { tag: 'PatientIdentityRemoved', action: 'insert', value: 'YES' },
        { tag: 'SOPInstanceUID', action: 'replace', value: '2.25.1234' },
        { tag: 'Rows', action: 'set', value: 64 },
        { tag: 'OtherPatientNames', action: 'replace', value: 'not inserted' },
      ]);
      const again = parseDicom(out);
      expect(again.string('PatientName')).toBe('Edited^Name');
      expect(again.has('PatientID')).toBe(false);
      expect(again.string('PatientIdentityRemoved')).toBe('YES');
      expect(again.has('OtherPatientNames')).toBe(false);
      expect(again.number('Rows')).toBe(64);
      expect(again.meta?.string('MediaStorageSOPInstanceUID')).toBe('2.25.1234');
      expect(samePixels(again, parsed)).toBe(true);
      // Tags stay in ascending order.
      const tags = again.tags();
      expect([...tags].sort((a, b) => a - b)).toEqual(tags);

      const ref = dcmjsRead(out);
      const nat = dcmjs.data.DicomMetaDictionary.naturalizeDataset(ref.dict) as Record<string, unknown>;
      expect(nat.PatientIdentityRemoved).toBe('YES');
      expect(nat.SOPInstanceUID).toBe('2.25.1234');
      expect(nat.PatientID).toBeUndefined();
      // dcmjs returns pixel data as stored (fragments joined per frame for encapsulated data).
      const refPixels = ref.dict['7FE00010'].Value as ArrayBuffer[];
      expect(same(new Uint8Array(refPixels[0]).subarray(0, parsed.frame(0).length), parsed.frame(0))).toBe(
        true,
      );
    }
  });

  it('edits inside nested sequences and re-emits them with undefined lengths', () => {
    if (!requireData()) return;
    const parsed = parseDicom(read('multiframe/CT0012.explicit_little_endian.dcm'));
    const out = writeDicom(parsed, [
      {
        tag: 'PerFrameFunctionalGroupsSequence',
        action: 'items',
        each: [{ tag: 'FrameContentSequence', action: 'delete' }],
        items: {
          1: [
            {
              tag: 'PlanePositionSequence',
              action: 'items',
              each: [{ tag: 'ImagePositionPatient', action: 'set', value: [1, 2, 3.5] }],
            },
          ],
        },
      },
      {
        tag: 'DeidentificationMethodCodeSequence',
        action: 'set',
        value: [
          [
            { tag: 0x00080100, value: '113100' },
            { tag: 0x00080102, value: 'DCM' },
            { tag: 0x00080104, value: 'Basic Application Confidentiality Profile' },
          ],
        ],
      },
    ]);
    const again = parseDicom(out);
    const frames = again.sequence('PerFrameFunctionalGroupsSequence');
    expect(frames).toHaveLength(2);
    expect(frames?.[0].has('FrameContentSequence')).toBe(false);
    expect(frames?.[1].sequence('PlanePositionSequence')?.[0].numbers('ImagePositionPatient')).toEqual([
      1, 2, 3.5,
    ]);
    expect(frames?.[0].sequence('PlanePositionSequence')?.[0].numbers('ImagePositionPatient')).toEqual(
      parsed
        .sequence('PerFrameFunctionalGroupsSequence')?.[0]
        .sequence('PlanePositionSequence')?.[0]
        .numbers('ImagePositionPatient'),
    );
    expect(again.sequence('DeidentificationMethodCodeSequence')?.[0].string('CodeValue')).toBe('113100');
    expect(samePixels(again, parsed)).toBe(true);
    const nat = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjsRead(out).dict) as {
      PerFrameFunctionalGroupsSequence: { PlanePositionSequence: { ImagePositionPatient: number[] } }[];
    };
    expect(nat.PerFrameFunctionalGroupsSequence[1].PlanePositionSequence.ImagePositionPatient).toEqual([
      1, 2, 3.5,
    ]);
  });

  it('edits nested sequences of implicit and big endian files', () => {
    if (!requireData()) return;
    for (const rel of ['structure/rtstruct.dcm', 'multiframe/rtdose.dcm']) {
      const parsed = parseDicom(read(rel));
      const seqKey = parsed.keys().find((k) => (parsed.sequence(k)?.length ?? 0) > 0) as string;
      const out = writeDicom(parsed, [
        {
          tag: seqKey,
          action: 'items',
          each: [{ tag: 'ReferencedSOPInstanceUID', action: 'set', value: '2.25.99' }],
        },
      ]);
      const again = parseDicom(out);
      expect(again.transferSyntaxUID).toBe(TransferSyntax.ImplicitVRLittleEndian);
      for (const item of again.sequence(seqKey) ?? [])
        expect(item.string('ReferencedSOPInstanceUID')).toBe('2.25.99');
      expect(again.sequence(seqKey)?.length).toBe(parsed.sequence(seqKey)?.length);
    }
  });

  it('writes from a headerOnly parse exactly like from a full parse', () => {
    if (!requireData()) return;
    for (const rel of [
      'ts/CT_small.dcm',
      'ts/MR_small_bigendian.dcm',
      'multiframe/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm',
    ]) {
      const edits = [{ tag: 'PatientName', action: 'set' as const, value: 'Header^Only' }];
      const fromHeader = writeDicom(parseDicom(read(rel), { headerOnly: true }), edits);
      const fromFull = writeDicom(parseDicom(read(rel)), edits);
      expect(same(fromHeader, fromFull)).toBe(true);
    }
    expect(() =>
      writeDicom(parseDicom(read('ts/CT_small.dcm'), { headerOnly: true }), [
        { tag: 0xfffcfffc, action: 'delete' },
      ]),
    ).toThrow(DicomWriteError);
  });

  it('keeps deflated files deflated', () => {
    if (!requireData()) return;
    const parsed = parseDicom(read('ts/report_dfl.dcm'));
    const out = writeDicom(parsed, [{ tag: 'PatientName', action: 'set', value: 'X^Y' }]);
    const again = parseDicom(out);
    expect(again.transferSyntax.deflated).toBe(true);
    expect(again.string('PatientName')).toBe('X^Y');
    expect(again.sequence('ContentSequence')?.length).toBe(parsed.sequence('ContentSequence')?.length);
  });

  it('refuses meta edits and item edits of non-sequences', () => {
    if (!requireData()) return;
    const parsed = parseDicom(read('ts/MR_small.dcm'));
    expect(() => writeDicom(parsed, [{ tag: 'TransferSyntaxUID', action: 'delete' }])).toThrow(
      DicomWriteError,
    );
    expect(() => writeDicom(parsed, [{ tag: 'PatientName', action: 'items', each: [] }])).toThrow(/sequence/);
  });
});
