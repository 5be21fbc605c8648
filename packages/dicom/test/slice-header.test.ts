import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParsedDicom } from '../src';
import { sliceHeaderTags } from '../src/assemble-plan';
import { parseDicomWith } from '../src/parse';
import { TagKeys } from '../src/read-dataset';
import { scanSliceHeader } from '../src/slice-header';
import { DATA_DIR, hasData, requireData, walkFiles } from './data';

/** What the upload planner reads of a slice beyond assembly planning's own attributes. */
const EXTRA = [
  'StudyInstanceUID',
  'Modality',
  'Laterality',
  'ImageLaterality',
  'FrameLaterality',
  'SeriesDescription',
];
const WANTED = sliceHeaderTags(EXTRA);
const ONLY = new Set(WANTED);
const KEYWORDS = [
  ...EXTRA,
  ...['SeriesInstanceUID', 'InstanceNumber', 'NumberOfFrames', 'SpecificCharacterSet', 'Rows', 'Columns'],
  ...[
    'BitsAllocated',
    'BitsStored',
    'PixelRepresentation',
    'ImagePositionPatient',
    'ImageOrientationPatient',
  ],
];

/** Everything a caller can see of a header-only parse, as plain data. */
function digest(h: ParsedDicom) {
  return {
    root: h.rootElements.map((e) => ({ ...e })),
    keys: Object.keys(h.dataSet.elements).sort(),
    meta: h.meta ? Object.values(h.meta.dataSet.elements).map((e) => ({ ...e })) : undefined,
    warnings: h.warnings,
    ts: [h.transferSyntaxUID, h.declaredTransferSyntaxUID, h.transferSyntax],
    where: [h.hasPreamble, h.dataSetStart, h.headerOnly, h.encoding],
    pixels: [h.pixelDataOffset, h.pixelDataLength, h.numberOfFrames, h.frameLength, h.isEncapsulated],
    values: KEYWORDS.map((k) => [k, h.string(k), h.strings(k), h.numbers(k), h.vr(k)]),
  };
}

type Outcome = { header: ParsedDicom } | { error: string } | undefined;

function fast(bytes: Uint8Array, name: string): Outcome {
  try {
    const header = scanSliceHeader(bytes, name, new TagKeys(), WANTED);
    return header && { header };
  } catch (e) {
    return { error: String(e) };
  }
}

function general(bytes: Uint8Array, name: string): Outcome {
  try {
    return { header: parseDicomWith(bytes, { fileName: name, headerOnly: true }, new TagKeys(), ONLY) };
  } catch (e) {
    return { error: String(e) };
  }
}

/** Where to cut each file: whole, at its pixel data, and at many points of its first 64 KiB. */
function cuts(bytes: Uint8Array, pixelDataOffset: number | undefined): number[] {
  const span = Math.min(bytes.length, 64 * 1024);
  const points = new Set([bytes.length, 16 * 1024, 132, 200]);
  if (pixelDataOffset !== undefined) for (const d of [-12, -8, -4, 0, 1]) points.add(pixelDataOffset + d);
  for (let i = 1; i < 40; i++) points.add(Math.floor((span * i) / 40));
  return [...points].filter((n) => n > 0 && n <= bytes.length);
}

describe('scanSliceHeader', () => {
  it.skipIf(!requireData())(
    'gives what the general header-only parse gives, or leaves the file to it, for every test file and many of its heads',
    () => {
      let scanned = 0;
      let dicoms = 0;
      const files = hasData ? [...walkFiles(DATA_DIR)] : [];
      for (const path of files) {
        const bytes = new Uint8Array(readFileSync(path));
        const whole = general(bytes, path);
        if (whole && 'header' in whole) dicoms++;
        const at = whole && 'header' in whole ? whole.header.pixelDataOffset : undefined;
        for (const n of cuts(bytes, at)) {
          const head = bytes.slice(0, n);
          const mine = fast(head, path);
          if (mine === undefined) continue;
          const theirs = general(head, path);
          if ('error' in mine) {
            // Only locating the data set throws here, and it is the general parse's first step.
            expect([path, n, theirs && 'error' in theirs]).toEqual([path, n, true]);
            continue;
          }
          expect([path, n, theirs && 'header' in theirs]).toEqual([path, n, true]);
          expect(digest(mine.header)).toEqual(digest((theirs as { header: ParsedDicom }).header));
          if (n === bytes.length) scanned++;
        }
      }
      // The plain case is the common one: most real files take the short road.
      expect(dicoms).toBeGreaterThan(100);
      expect(scanned).toBeGreaterThan(dicoms * 0.7);
    },
  );

  it('steps over sequences by their structure, and leaves a malformed item to the general parser', () => {
    // Explicit VR little endian, no file meta: Modality, a sequence of one item holding a nested
    // sequence of undefined length, SeriesInstanceUID, then PixelData.
    const el = (g: number, e: number, vr: string, value: number[]) => {
      const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
      const head = [g & 0xff, g >> 8, e & 0xff, e >> 8, vr.charCodeAt(0), vr.charCodeAt(1)];
      const n = value.length;
      return long
        ? [...head, 0, 0, n & 0xff, (n >> 8) & 0xff, 0, 0, ...value]
        : [...head, n & 0xff, n >> 8, ...value];
    };
    const text = (s: string) => [...s].map((c) => c.charCodeAt(0));
    const item = (body: number[]) => [
      0xfe,
      0xff,
      0x00,
      0xe0,
      body.length & 0xff,
      body.length >> 8,
      0,
      0,
      ...body,
    ];
    const nested = [
      ...[0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff],
      ...item(el(0x0008, 0x1150, 'UI', text('1.2.3\0'))),
      ...[0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0],
    ];
    const build = (itemTag: number) => {
      const sequenceItem = item(nested);
      sequenceItem[2] = itemTag & 0xff;
      sequenceItem[3] = itemTag >> 8;
      return new Uint8Array([
        ...el(0x0008, 0x0060, 'CS', text('CT')),
        ...el(0x0008, 0x1140, 'SQ', sequenceItem),
        ...el(0x0020, 0x000e, 'UI', text('1.2.840.1\0')),
        ...el(0x7fe0, 0x0010, 'OW', [1, 0, 2, 0]),
      ]);
    };
    const good = build(0xe000);
    const header = scanSliceHeader(good, 'crafted', new TagKeys(), WANTED)!;
    expect(header.string('Modality')).toBe('CT');
    expect(header.string('SeriesInstanceUID')).toBe('1.2.840.1');
    expect(header.pixelDataOffset).toBe(good.length - 4);
    expect(digest(header)).toEqual(digest((general(good, 'crafted') as { header: ParsedDicom }).header));
    // An item whose tag is not (FFFE,E000): not the plain case.
    expect(scanSliceHeader(build(0xe001), 'crafted', new TagKeys(), WANTED)).toBeUndefined();
  });
});
