import type { DataSet, Element } from 'dicom-parser';
import { concatBytes } from './bytes';
import { vrOf } from './dictionary';
import {
  type ElementEncoding,
  encodeHeader,
  ITEM,
  ITEM_DELIMITER,
  SEQUENCE_DELIMITER,
  UNDEFINED_LENGTH,
} from './encode';
import { DicomError } from './errors';
import { tagFromKey } from './tags';
import { LONG_HEADER_VRS } from './transfer-syntax';

/** Byte size of the units a big endian value is swapped in, per VR (absent: bytes, no swap). */
const SWAP_UNIT: Record<string, number> = {
  AT: 2,
  OW: 2,
  SS: 2,
  US: 2,
  FL: 4,
  OF: 4,
  OL: 4,
  SL: 4,
  UL: 4,
  FD: 8,
  OD: 8,
  OV: 8,
  SV: 8,
  UV: 8,
};

const EXPLICIT_LE: ElementEncoding = { explicitVR: true, littleEndian: true };

/** Reverses every `unit`-byte group of `src` into `dst` (big ↔ little endian). */
export function swapInto(src: Uint8Array, dst: Uint8Array, offset: number, unit: number): void {
  if (unit <= 1) {
    dst.set(src, offset);
    return;
  }
  const whole = src.length - (src.length % unit);
  if (unit === 2) {
    for (let i = 0; i < whole; i += 2) {
      dst[offset + i] = src[i + 1];
      dst[offset + i + 1] = src[i];
    }
  } else {
    for (let i = 0; i < whole; i += unit) {
      for (let j = 0; j < unit; j++) dst[offset + i + j] = src[i + unit - 1 - j];
    }
  }
  for (let i = whole; i < src.length; i++) dst[offset + i] = src[i];
}

/**
 * VR of an element read in implicit VR: the dictionary's, or UN where a short-header VR could not
 * hold the value's length (UN has a 4-byte length and may carry any value).
 */
function implicitVr(el: Element, tag: number): string {
  if (el.items) return 'SQ';
  const vr = vrOf(tag);
  return LONG_HEADER_VRS.has(vr) || el.length <= 0xffff ? vr : 'UN';
}

/** Elements in file order; dicom-parser records the delimiter of undefined-length items as an element. */
function sorted(ds: DataSet): Element[] {
  return Object.values(ds.elements)
    .filter((el) => !el.tag.startsWith('xfffe'))
    .sort((a, b) => a.dataOffset - b.dataOffset);
}

function emit(ds: DataSet, bigEndian: boolean, parts: Uint8Array[]): void {
  const bytes = ds.byteArray;
  for (const el of sorted(ds)) {
    const tag = tagFromKey(el.tag);
    const vr = el.vr ?? implicitVr(el, tag);
    if (vr === 'SQ' || el.items) {
      parts.push(encodeHeader(tag, 'SQ', UNDEFINED_LENGTH, EXPLICIT_LE));
      for (const item of el.items ?? []) {
        parts.push(encodeHeader(ITEM, '', UNDEFINED_LENGTH, EXPLICIT_LE));
        if (item.dataSet) emit(item.dataSet, bigEndian, parts);
        parts.push(encodeHeader(ITEM_DELIMITER, '', 0, EXPLICIT_LE));
      }
      parts.push(encodeHeader(SEQUENCE_DELIMITER, '', 0, EXPLICIT_LE));
      continue;
    }
    if (el.hadUndefinedLength) {
      throw new DicomError(`element ${el.tag} (${vr}) has undefined length and cannot be transcoded`);
    }
    const value = bytes.subarray(el.dataOffset, el.dataOffset + el.length);
    const out = new Uint8Array(value.length);
    swapInto(value, out, 0, bigEndian ? (SWAP_UNIT[vr] ?? 1) : 1);
    parts.push(encodeHeader(tag, vr, out.length, EXPLICIT_LE), out);
  }
}

/**
 * Re-encodes a data set (implicit VR, big endian, or the inflated bytes of a deflated file) as
 * Explicit VR Little Endian: headers rewritten, binary values swapped, sequences re-emitted with
 * undefined lengths. Used for the small header of an assembled series, never for pixel data.
 */
export function toExplicitLittleEndian(ds: DataSet, bigEndian: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  emit(ds, bigEndian, parts);
  return concatBytes(parts);
}
