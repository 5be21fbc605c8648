import { type DicomValue, encodeElement, vrOf } from '@datamint/dicom';

/** One attribute of a data set to write; the VR defaults to the data dictionary's. */
export interface Attribute {
  tag: number;
  value: DicomValue;
  vr?: string;
}

const EXPLICIT_LE = { explicitVR: true, littleEndian: true, utf8: false } as const;
export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
export const IMPLEMENTATION_UID = '2.25.176113245307213476633069932950385563841';

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function encodeAll(attributes: readonly Attribute[]): Uint8Array {
  const sorted = [...attributes].sort((a, b) => a.tag - b.tag);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.tag === sorted[i - 1]!.tag) {
      throw new RangeError(`attribute ${sorted[i]!.tag.toString(16).padStart(8, '0')} is given twice`);
    }
  }
  return concat(sorted.map((a) => encodeElement(a.tag, a.vr ?? vrOf(a.tag), a.value, EXPLICIT_LE)));
}

/**
 * A complete DICOM Part 10 file in Explicit VR Little Endian: preamble, `DICM`, file meta group
 * (with its group length) and the data set in ascending tag order. Elements are encoded by
 * @datamint/dicom; this only lays out the file around them.
 */
export function writePart10(
  attributes: readonly Attribute[],
  meta: { sopClassUid: string; sopInstanceUid: string },
): Uint8Array {
  const group = encodeAll([
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: meta.sopClassUid },
    { tag: 0x00020003, vr: 'UI', value: meta.sopInstanceUid },
    { tag: 0x00020010, vr: 'UI', value: EXPLICIT_VR_LITTLE_ENDIAN },
    { tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_UID },
    { tag: 0x00020013, vr: 'SH', value: 'DATAMINT_QS' },
  ]);
  const groupLength = encodeElement(0x00020000, 'UL', group.length, EXPLICIT_LE);
  const preamble = new Uint8Array(132);
  preamble.set([0x44, 0x49, 0x43, 0x4d], 128);
  return concat([preamble, groupLength, group, encodeAll(attributes)]);
}
