import { type ElementEncoding, encodeHeader, ITEM, SEQUENCE_DELIMITER, UNDEFINED_LENGTH } from '../encode';
import { DicomError } from '../errors';

const PIXEL_DATA = 0x7fe00010;
const EXPLICIT_LE: ElementEncoding = { explicitVR: true, littleEndian: true };
const MAX_OFFSET = 0xffffffff;

/**
 * ExtendedOffsetTable, ExtendedOffsetTableLengths and EncapsulatedPixelDataValueTotalLength describe
 * the fragments of the pixel data they came with. Writers of new pixel data (assembled frames,
 * compressed frames) drop them: kept, they would send readers that prefer them to the wrong bytes,
 * and a Basic Offset Table must be empty when an extended one is present.
 */
export const FRAGMENT_TABLE_TAGS: readonly number[] = [0x7fe00001, 0x7fe00002, 0x7fe00003];

/**
 * The PixelData element of encapsulated pixel data: OB of undefined length, a Basic Offset Table
 * with the offset of each frame, one fragment per frame (odd lengths padded with a zero byte, as
 * items must have even length), and the sequence delimiter.
 */
export function encapsulatePixelData(frames: readonly Uint8Array[]): Uint8Array {
  const n = frames.length;
  let total = 12 + 8 + 4 * n + 8;
  for (const f of frames) total += 8 + f.length + (f.length % 2);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(encodeHeader(PIXEL_DATA, 'OB', UNDEFINED_LENGTH, EXPLICIT_LE), 0);
  out.set(encodeHeader(ITEM, '', 4 * n, EXPLICIT_LE), 12);
  const bot = 20;
  let o = bot + 4 * n;
  const first = o;
  frames.forEach((f, k) => {
    if (o - first > MAX_OFFSET) {
      throw new DicomError(`frame ${k} starts ${o - first} bytes in, beyond the 32-bit Basic Offset Table`);
    }
    view.setUint32(bot + 4 * k, o - first, true);
    const padded = f.length + (f.length % 2);
    out.set(encodeHeader(ITEM, '', padded, EXPLICIT_LE), o);
    out.set(f, o + 8);
    o += 8 + padded;
  });
  out.set(encodeHeader(SEQUENCE_DELIMITER, '', 0, EXPLICIT_LE), o);
  return out;
}

/**
 * A Part 10 file of encapsulated frames: zero preamble, DICM, the file meta group `meta`, the data
 * set `body` (Explicit VR Little Endian, without pixel data), then the frames' PixelData element.
 */
export function encapsulatedFile(
  meta: Uint8Array,
  body: Uint8Array,
  frames: readonly Uint8Array[],
): Uint8Array {
  const pixels = encapsulatePixelData(frames);
  const out = new Uint8Array(132 + meta.length + body.length + pixels.length);
  out.set([0x44, 0x49, 0x43, 0x4d], 128);
  out.set(meta, 132);
  out.set(body, 132 + meta.length);
  out.set(pixels, 132 + meta.length + body.length);
  return out;
}
