import { describe, expect, it } from 'vitest';
import {
  anonymizeDicom,
  createAnonymizer,
  DicomAnonymizeError,
  type DicomDataset,
  keyedUid,
  type ParsedDicom,
  parseDicom,
  profileRow,
  resolveAction,
  sdkToken,
  writeDicom,
} from '../src/index';
import { dicomFiles, indexOfBytes, read, requireData } from './data';

const PHI_VRS = new Set(['PN', 'LO', 'SH', 'DA', 'DT', 'TM', 'UI', 'AE', 'ST', 'LT', 'UT', 'UC', 'AS']);
const WRITTEN = new Set([
  'ANONYMIZED',
  '19000101',
  '000000',
  '19000101000000',
  'DATAMINT PS3.15 BASIC PROFILE',
]);

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

interface Collected {
  phi: Set<string>;
  kept: string[];
}

/** Values of attributes the profile must not keep, and values of attributes it keeps. */
function collect(ds: DicomDataset, retain: Set<number>, out: Collected): void {
  for (const tag of ds.tags()) {
    const vr = ds.vr(tag) as string;
    const items = ds.sequence(tag);
    if (items) {
      for (const item of items) collect(item, retain, out);
      continue;
    }
    const value = ds.string(tag) ?? '';
    const row = profileRow(tag);
    const private_ = ((tag >>> 16) & 1) === 1;
    const kept = retain.has(tag) || (!private_ && (!row || resolveAction(row.action) === 'keep'));
    if (kept) out.kept.push(value);
    else if (PHI_VRS.has(vr))
      for (const v of value.split('\\')) if (v.trim().length >= 6) out.phi.add(v.trim());
  }
}

function hasPrivate(ds: DicomDataset): boolean {
  return ds.tags().some((t) => ((t >>> 16) & 1) === 1 || (ds.sequence(t) ?? []).some(hasPrivate));
}

function pixelsEqual(a: ParsedDicom, b: ParsedDicom): boolean {
  if (a.numberOfFrames !== b.numberOfFrames) return false;
  for (let i = 0; i < a.numberOfFrames; i++) if (!same(a.frame(i), b.frame(i))) return false;
  return true;
}

const PARSEABLE = dicomFiles().filter((f) => !f.rel.startsWith('broken/') && !f.rel.endsWith('.nrrd'));
// Attributes the profile would otherwise change (Z, D/remove, X, U), named every supported way.
const RETAIN = [
  'StudyDate',
  0x00080080,
  '(0008,0050)',
  [0x0020, 0x0010] as [number, number],
  'SeriesInstanceUID',
];
const RETAINED_TAGS = new Set([0x00080020, 0x00080080, 0x00080050, 0x00200010, 0x0020000e]);

describe('basic profile on every parseable shared file', () => {
  const anonymizer = createAnonymizer({ key: 'test-key', retain: RETAIN });
  const again = createAnonymizer({ key: 'test-key', retain: RETAIN });
  const other = createAnonymizer({ key: 'other-key' });
  for (const { rel } of PARSEABLE) {
    it(rel, () => {
      const input = read(rel);
      const original = parseDicom(input, { fileName: rel });
      const out = anonymizer.anonymize(input, { fileName: rel });
      const result = parseDicom(out, { fileName: `${rel} (anonymized)` });
      expect(pixelsEqual(result, original)).toBe(true);
      expect(hasPrivate(result)).toBe(false);
      expect(result.string('PatientIdentityRemoved')).toBe('YES');
      expect(result.string('LongitudinalTemporalInformationModified')).toBe('REMOVED');
      expect(result.sequence('DeidentificationMethodCodeSequence')?.[0].string('CodeValue')).toBe('113100');
      for (const t of RETAINED_TAGS) expect(result.value(t), t.toString(16)).toEqual(original.value(t));
      for (let g = 0x5000; g <= 0x60ff; g += 2) {
        if ((g & 0xff00) === 0x5000 || (g & 0xff00) === 0x6000) {
          expect(result.tags().some((t) => t >>> 16 === g)).toBe(false);
        }
      }
      const collected: Collected = { phi: new Set(), kept: [] };
      collect(original, RETAINED_TAGS, collected);
      if (original.meta) collected.phi.add(original.meta.string('MediaStorageSOPInstanceUID') ?? '');
      const keptText = collected.kept.join('\n');
      // Deflated output is searched after inflating it (the raw stream hides any text); compressed
      // pixel data can contain any byte string, so everything but the pixels is searched.
      const searched = result.transferSyntax.deflated
        ? Buffer.concat([out.subarray(0, result.dataSetStart), result.bytes])
        : out.slice();
      if (result.pixelDataOffset !== undefined) {
        const start = result.pixelDataOffset + (result.transferSyntax.deflated ? result.dataSetStart : 0);
        searched.fill(0, start, start + (result.pixelDataLength ?? 0));
      }
      for (const value of collected.phi) {
        if (value.length < 6 || WRITTEN.has(value) || keptText.includes(value)) continue;
        expect(indexOfBytes(searched, Buffer.from(value, 'latin1')), `${value} leaked`).toBe(-1);
      }
      const uid = original.string('SOPInstanceUID');
      if (uid) {
        expect(result.string('SOPInstanceUID')).toMatch(/^2\.25\.\d+$/);
        expect(result.meta?.string('MediaStorageSOPInstanceUID')).toBe(result.string('SOPInstanceUID'));
        const twice = parseDicom(again.anonymize(input));
        expect(twice.string('SOPInstanceUID')).toBe(result.string('SOPInstanceUID'));
        expect(twice.string('StudyInstanceUID')).toBe(result.string('StudyInstanceUID'));
        expect(parseDicom(other.anonymize(input)).string('SOPInstanceUID')).not.toBe(
          result.string('SOPInstanceUID'),
        );
      }
    });
  }
});

describe('basic profile details', () => {
  it('remaps references inside sequences consistently across files', () => {
    if (!requireData()) return;
    const anonymizer = createAnonymizer();
    const images = ['IMG0001.dcm', 'IMG0002.dcm', 'IMG0003.dcm'].map((f) =>
      parseDicom(anonymizer.anonymize(read(`series/dcmqi_23x38x3/image/${f}`))),
    );
    const seg = parseDicom(anonymizer.anonymize(read('series/dcmqi_23x38x3/seg/label.seg.dcm')));
    const refs = (seg.sequence('ReferencedSeriesSequence') ?? []).flatMap((s) =>
      (s.sequence('ReferencedInstanceSequence') ?? []).map((i) => i.string('ReferencedSOPInstanceUID')),
    );
    expect(refs.length).toBe(3);
    expect(new Set(refs)).toEqual(new Set(images.map((i) => i.string('SOPInstanceUID'))));
    expect(seg.string('FrameOfReferenceUID')).toBe(images[0].string('FrameOfReferenceUID'));
    expect(seg.sequence('ReferencedSeriesSequence')?.[0].string('SeriesInstanceUID')).toBe(
      images[0].string('SeriesInstanceUID'),
    );
  });

  it('gives every file of a batch the bytes a fresh anonymizer gives it, whatever came before', () => {
    if (!requireData()) return;
    // A batch remembers decisions, encoded values and whole sequences from file to file; files
    // that repeat a value or a sequence, or change it by one byte, must not tell the difference.
    const ct = PARSEABLE.filter((f) => f.rel.startsWith('series/dcm_qa_ct_philips_S2010/')).slice(0, 4);
    const files = [...ct.map((f) => read(f.rel)), read('series/dcmqi_23x38x3/seg/label.seg.dcm')];
    const index = files.findIndex((f) => parseDicom(f).sequence('ReferencedImageSequence'));
    expect(index).toBeGreaterThanOrEqual(0);
    const parsed = parseDicom(files[index]);
    // The same file with one digit of a UID changed (so lengths stay): one inside a sequence, one
    // at the root.
    const changed = (offset: number, length: number) => {
      const copy = files[index].slice();
      const last = offset + length - (copy[offset + length - 1] === 0 ? 2 : 1);
      copy[last] = copy[last] === 0x37 ? 0x38 : 0x37;
      return copy;
    };
    const nested = parsed.dataSet.elements.x00081140?.items?.[0].dataSet?.elements.x00081155;
    const study = parsed.dataSet.elements.x0020000d;
    if (!nested || !study) throw new Error('the CT slice lacks the UIDs the test changes');
    files.push(changed(nested.dataOffset, nested.length), changed(study.dataOffset, study.length));
    const configs = [
      { key: 'batch' },
      { key: 'batch', dateShiftDays: 30, retain: ['SeriesInstanceUID'] },
      { profile: 'datamint-sdk' },
    ] as const;
    for (const options of configs) {
      const batch = createAnonymizer(options);
      const rounds = [files, [...files].reverse(), files].map((round) =>
        round.map((f) => batch.anonymize(f)),
      );
      files.forEach((f, i) => {
        const fresh = createAnonymizer(options).anonymize(f);
        expect(same(rounds[0][i], fresh)).toBe(true);
        expect(same(rounds[1][files.length - 1 - i], fresh)).toBe(true);
        expect(same(rounds[2][i], fresh)).toBe(true);
      });
    }
  });

  it('shifts dates by a per-patient offset with the modified-dates option', () => {
    if (!requireData()) return;
    const input = read('ts/CT_small.dcm');
    const original = parseDicom(input);
    const out = parseDicom(
      anonymizeDicom(input, { dateShiftDays: (id) => (id === original.string('PatientID') ? -10 : 0) }),
    );
    expect(original.string('StudyDate')).toBe('20040119');
    expect(out.string('StudyDate')).toBe('20040109');
    expect(out.string('StudyTime')).toBe(original.string('StudyTime'));
    expect(out.string('LongitudinalTemporalInformationModified')).toBe('MODIFIED');
    const codes = out.sequence('DeidentificationMethodCodeSequence')?.map((i) => i.string('CodeValue'));
    expect(codes).toEqual(['113100', '113107']);
    expect(() => anonymizeDicom(input, { dateShiftDays: 1.5 })).toThrow(DicomAnonymizeError);
    // Every date the option covers is shifted by the same offset; none of the originals remain.
    const minus10 = (da: string) =>
      new Date(Date.UTC(+da.slice(0, 4), +da.slice(4, 6) - 1, +da.slice(6, 8)) - 10 * 86_400_000)
        .toISOString()
        .slice(0, 10)
        .replace(/-/g, '');
    let shifted = 0;
    for (const tag of original.tags()) {
      const value = original.string(tag) ?? '';
      if (original.vr(tag) !== 'DA' || profileRow(tag)?.modifiedDates !== 'C' || !/^\d{8}$/.test(value))
        continue;
      expect(out.string(tag), tag.toString(16)).toBe(minus10(value));
      shifted++;
    }
    expect(shifted).toBeGreaterThanOrEqual(4);
  });

  it('uses a caller-supplied PatientID and honours retained UIDs', () => {
    if (!requireData()) return;
    const input = read('ts/MR_small.dcm');
    const original = parseDicom(input);
    const out = parseDicom(
      anonymizeDicom(input, { patientId: (id) => `SUBJ-${id?.length}`, retain: ['StudyInstanceUID'] }),
    );
    expect(out.string('PatientID')).toBe(`SUBJ-${original.string('PatientID')?.length}`);
    expect(out.string('StudyInstanceUID')).toBe(original.string('StudyInstanceUID'));
    expect(out.string('SeriesInstanceUID')).not.toBe(original.string('SeriesInstanceUID'));
  });

  it('retains tags given by number, [group, element], text and keyword, in both profiles', () => {
    if (!requireData()) return;
    const input = read('ts/CT_small.dcm');
    const original = parseDicom(input);
    const tags = [0x00080020, 0x00080080, 0x00200010, 0x00081030, 0x00081010];
    for (const profile of ['basic', 'datamint-sdk'] as const) {
      const plain = parseDicom(anonymizeDicom(input, { profile }));
      const changed = tags.filter(
        (t) => !same(plain.value(t) ?? new Uint8Array(), original.value(t) ?? new Uint8Array()),
      );
      // Without a retain list the profile changes these (the SDK leaves StudyDate alone).
      expect(changed.length, profile).toBeGreaterThanOrEqual(profile === 'basic' ? 5 : 4);
      const kept = parseDicom(
        anonymizeDicom(input, {
          profile,
          retain: ['StudyDate', 0x00080080, [0x0020, 0x0010], '(0x0008, 0x1030)', '0008,1010'],
        }),
      );
      for (const t of tags) expect(kept.value(t), `${profile} ${t.toString(16)}`).toEqual(original.value(t));
      expect(kept.string('PatientName')).not.toBe(original.string('PatientName'));
    }
  });

  it('completes a headerOnly parse so elements after PixelData are cleaned too', () => {
    if (!requireData()) return;
    const input = read('ts/CT_small.dcm');
    const anonymizer = createAnonymizer({ key: 'k' });
    const fromHeader = anonymizer.anonymizeParsed(parseDicom(input, { headerOnly: true }));
    expect(Buffer.compare(Buffer.from(fromHeader), Buffer.from(anonymizer.anonymize(input)))).toBe(0);
  });

  it('replaces PatientID with a keyed pseudonym that is stable per key', () => {
    if (!requireData()) return;
    const slices = ['I10', 'I20'].map((f) => read(`series/dcm_qa_ct_philips_S2010/${f}`));
    const a = createAnonymizer({ key: 'one' });
    const ids = slices.map((s) => parseDicom(a.anonymize(s)).string('PatientID'));
    expect(ids[0]).toMatch(/^ANON-[0-9A-F]{24}$/);
    expect(ids[1]).toBe(ids[0]);
    const other = parseDicom(createAnonymizer({ key: 'two' }).anonymize(slices[0])).string('PatientID');
    expect(other).not.toBe(ids[0]);
  });

  it('removes private tags, curves, overlays, icons and original attributes at every level', () => {
    if (!requireData()) return;
    const base = parseDicom(read('ts/MR_small.dcm'));
    const item = [{ tag: 0x00100010, vr: 'PN', value: 'Nested^Name' }];
    const withJunk = parseDicom(
      writeDicom(base, [
        { tag: 0x50000010, action: 'set', vr: 'US', value: 2 },
        { tag: 0x60003000, action: 'set', vr: 'OW', value: new Uint8Array(8) },
        { tag: 0x60020010, action: 'set', vr: 'US', value: 64 },
        { tag: 0x00880200, action: 'set', value: [item] },
        { tag: 0x04000561, action: 'set', value: [item] },
        { tag: 0x00091010, action: 'set', vr: 'LO', value: 'private secret' },
        {
          tag: 0x00081140,
          action: 'set',
          value: [
            [
              ...item,
              { tag: 0x00291010, vr: 'LO', value: 'nested private' },
              { tag: 0x00081155, vr: 'UI', value: '1.2.3.4.5' },
            ],
          ],
        },
      ]),
    );
    const out = createAnonymizer({ key: 'k' }).anonymizeParsed(withJunk);
    const result = parseDicom(out);
    for (const t of [0x50000010, 0x60003000, 0x60020010, 0x00880200, 0x04000561, 0x00091010]) {
      expect(result.has(t), t.toString(16)).toBe(false);
    }
    const ref = result.sequence(0x00081140)?.[0];
    expect(ref?.has(0x00291010)).toBe(false);
    expect(ref?.string(0x00081155)).toBe(createAnonymizer({ key: 'k' }).mapUid('1.2.3.4.5'));
    expect(indexOfBytes(out, Buffer.from('private secret'))).toBe(-1);
    expect(indexOfBytes(out, Buffer.from('Nested^Name'))).toBe(-1);
  });

  it('can refuse files with burned-in annotation', () => {
    if (!requireData()) return;
    const marked = writeDicom(parseDicom(read('ts/MR_small.dcm')), [
      { tag: 'BurnedInAnnotation', action: 'set', value: 'YES' },
    ]);
    expect(() => anonymizeDicom(marked, { rejectBurnedInAnnotation: true, fileName: 'us.dcm' })).toThrow(
      /us\.dcm.*BurnedInAnnotation/,
    );
    expect(parseDicom(anonymizeDicom(marked)).string('BurnedInAnnotation')).toBe('YES');
  });

  it('maps UIDs with HMAC under the given key, or a random per-anonymizer secret without one', () => {
    const uid = '1.2.840.113619.2.55.3.604688119';
    const keyed = createAnonymizer({ key: 'secret' });
    expect(keyed.mapUid(uid)).toBe(keyedUid(new TextEncoder().encode('secret'), uid));
    expect(keyed.mapUid(uid)).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
    const a = createAnonymizer();
    const b = createAnonymizer();
    expect(a.mapUid(uid)).toBe(a.mapUid(uid));
    expect(a.mapUid(uid)).not.toBe(b.mapUid(uid));
    expect(a.mapUid(uid)).toMatch(/^2\.25\.[1-9]\d{0,38}$/);
  });

  it('rejects unknown profiles and empty keys', () => {
    expect(() => createAnonymizer({ profile: 'strict' as 'basic' })).toThrow(/strict/);
    expect(() => createAnonymizer({ key: '' })).toThrow(DicomAnonymizeError);
  });
});

describe('datamint-sdk profile (Python SDK parity)', () => {
  it('reproduces the SDK token test vectors', () => {
    expect(sdkToken(0x00100020, '12345')).toBe('20c3c8d94b29c434d10560b6ddd3370e');
    expect(sdkToken(0x0020000d, '1.2.3.4')).toBe(
      '1.2.826.0.1.3680043.8.498.15862550655114101599606812854284877519',
    );
    expect(sdkToken(0x0020000e, '1.2.3.4.5')).toBe(
      '1.2.826.0.1.3680043.8.498.14622396421598157305558791352833819564',
    );
    expect(sdkToken(0x00200052, '1.2.3.4.6')).toBe(
      '1.2.826.0.1.3680043.8.498.73700635966575863609692027363633958992',
    );
    expect(sdkToken(0x00080018, '1.2.3.4.7.1')).toBe(
      '1.2.826.0.1.3680043.8.498.11155643469069063684378097328187433161',
    );
    expect(sdkToken(0x0020000d, '')).toBe('1.2.826.0.1.3680043.8.498.59650474121980580123944332565769410215');
    expect(sdkToken(0x0020000d, 'CLEARED_BY_DATAMINT')).toBe('CLEARED_BY_DATAMINT');
  });

  it('writes exactly the SDK values and leaves everything else', () => {
    if (!requireData()) return;
    const input = read('ts/CT_small.dcm');
    const original = parseDicom(input);
    const out = anonymizeDicom(input, { profile: 'datamint-sdk', retain: [[0x0008, 0x0050]] });
    const result = parseDicom(out);
    expect(result.string('PatientName')).toBe('CLEARED_BY_DATAMINT');
    const name = result.element('PatientName');
    expect(name?.length).toBe(20);
    expect(result.value('PatientName')?.[19]).toBe(0x20);
    expect(result.string('PatientID')).toBe(sdkToken(0x00100020, original.rawString('PatientID')));
    expect(result.string('StudyInstanceUID')).toBe(
      sdkToken(0x0020000d, original.rawString('StudyInstanceUID')),
    );
    expect(result.string('SOPInstanceUID')).toBe(sdkToken(0x00080018, original.rawString('SOPInstanceUID')));
    expect(result.meta?.string('MediaStorageSOPInstanceUID')).toBe(result.string('SOPInstanceUID'));
    expect(result.meta?.string('ImplementationClassUID')).toBe(
      original.meta?.string('ImplementationClassUID'),
    );
    expect(result.string('AccessionNumber')).toBe(original.string('AccessionNumber'));
    // Dates, private tags and the preamble are untouched.
    expect(result.string('StudyDate')).toBe(original.string('StudyDate'));
    expect(result.tags().filter((t) => (t >>> 16) & 1)).toEqual(
      original.tags().filter((t) => (t >>> 16) & 1),
    );
    expect(same(out.subarray(0, 128), input.subarray(0, 128))).toBe(true);
    expect(pixelsEqual(result, original)).toBe(true);
  });

  it('zeroes DS, FL and FD, sets the telephone and deletes the listed sequences', () => {
    if (!requireData()) return;
    const input = read('ts/MR_small.dcm');
    const parsed = parseDicom(input);
    const out = parseDicom(createAnonymizer({ profile: 'datamint-sdk' }).anonymizeParsed(parsed));
    if (parsed.has('PatientWeight'))
      expect(out.value('PatientWeight')).toEqual(new Uint8Array(Buffer.from('0.0 ')));
    expect(out.has('RequestAttributesSequence')).toBe(false);
    const ct = parseDicom(
      anonymizeDicom(read('multiframe/CT0012.explicit_little_endian.dcm'), { profile: 'datamint-sdk' }),
    );
    expect(ct.string('PatientName')).toBe('CLEARED_BY_DATAMINT');
  });
});
