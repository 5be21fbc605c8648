import { LONG_HEADER_VRS, TransferSyntax } from './transfer-syntax';

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  ),
);
const UNDEFINED = 0xffffffff;
const MAX_ELEMENTS = 6;

/** How a data set's bytes are actually encoded, as read from the bytes themselves. */
export interface DetectedEncoding {
  explicitVR: boolean;
  littleEndian: boolean;
}

/** True when bytes 128..131 are `DICM` (Part 10 file with preamble). */
export function hasPart10Marker(b: Uint8Array): boolean {
  return b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
}

function u16(b: Uint8Array, p: number, littleEndian: boolean): number {
  return littleEndian ? b[p] | (b[p + 1] << 8) : (b[p] << 8) | b[p + 1];
}

function u32(b: Uint8Array, p: number, littleEndian: boolean): number {
  return littleEndian
    ? (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0
    : ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

function plausibleTag(group: number, element: number, previous: number): boolean {
  const tag = ((group << 16) | element) >>> 0;
  if (tag <= previous) return false;
  if (group < 0x0002 || group > 0x7fe0) return false;
  // Odd groups 0001-0007 are not allowed even as private groups.
  return !(group & 1 && group <= 0x0007);
}

interface ElementHeader {
  /** Header bytes (8 or 12). */
  size: number;
  length: number;
  /** For an undefined length: whether this element may have one. */
  mayBeUndefined: boolean;
}

type HeaderReader = (b: Uint8Array, p: number, littleEndian: boolean) => ElementHeader | undefined;

/** Explicit VR header at `p`, or undefined when the VR letters are not a VR. */
const explicitHeader: HeaderReader = (b, p, littleEndian) => {
  const vr = String.fromCharCode(b[p + 4], b[p + 5]);
  if (!VRS.has(vr)) return undefined;
  if (!LONG_HEADER_VRS.has(vr))
    return { size: 8, length: u16(b, p + 6, littleEndian), mayBeUndefined: false };
  if (p + 12 > b.length || b[p + 6] !== 0 || b[p + 7] !== 0) return undefined;
  const length = u32(b, p + 8, littleEndian);
  return { size: 12, length, mayBeUndefined: vr === 'SQ' || vr === 'UN' || vr === 'OB' || vr === 'OW' };
};

/** Implicit VR header at `p`: tag and a 4-byte length. */
function implicitHeader(b: Uint8Array, p: number, littleEndian: boolean): ElementHeader {
  return { size: 8, length: u32(b, p + 4, littleEndian), mayBeUndefined: true };
}

/**
 * Walks the first few elements: each tag must be plausible and above the previous one, and each
 * value must fit in the data. An undefined length ends the walk (we cannot skip the value).
 */
function walk(b: Uint8Array, readHeader: HeaderReader, littleEndian: boolean): boolean {
  let p = 0;
  let previous = -1;
  let count = 0;
  while (count < MAX_ELEMENTS && p + 8 <= b.length) {
    const group = u16(b, p, littleEndian);
    const element = u16(b, p + 2, littleEndian);
    if (!plausibleTag(group, element, previous)) return false;
    const header = readHeader(b, p, littleEndian);
    if (!header) return false;
    p += header.size;
    count++;
    if (header.length === UNDEFINED) return header.mayBeUndefined;
    if (p + header.length > b.length) return false;
    p += header.length;
    previous = ((group << 16) | element) >>> 0;
  }
  return count > 0;
}

/**
 * Guesses the transfer syntax of a data set without preamble and file meta by walking its first
 * elements: explicit VR (little, then big endian) when VR letters are present and every length
 * fits, else implicit VR little endian. Returns undefined when no reading is plausible.
 */
export function sniffRawTransferSyntax(b: Uint8Array): string | undefined {
  if (b.length < 8) return undefined;
  if (walk(b, explicitHeader, true)) return TransferSyntax.ExplicitVRLittleEndian;
  if (walk(b, explicitHeader, false)) return TransferSyntax.ExplicitVRBigEndian;
  if (walk(b, implicitHeader, true)) return TransferSyntax.ImplicitVRLittleEndian;
  return undefined;
}

/**
 * The encoding of the data set starting at `start`, read from its first element the way forgiving
 * readers (pydicom, dcmtk) do: two ASCII letters forming a VR after the tag mean explicit VR, and
 * the group number tells the byte order (data set groups are small numbers, so a zero first byte
 * with a non-zero second one is a big endian group). Undefined when the element's value would not
 * fit in the data under that reading (then the declared syntax is the better guess), or when the
 * reading is implicit VR big endian, which no transfer syntax has.
 */
export function detectDataSetEncoding(b: Uint8Array, start: number): DetectedEncoding | undefined {
  if (start < 0 || start + 8 > b.length) return undefined;
  const littleEndian = !(b[start] === 0 && b[start + 1] !== 0);
  const explicit = explicitHeader(b, start, littleEndian);
  const explicitVR = explicit !== undefined;
  if (!explicitVR && !littleEndian) return undefined;
  const header = explicit ?? implicitHeader(b, start, littleEndian);
  if (header.length === UNDEFINED) {
    if (!header.mayBeUndefined) return undefined;
  } else if (start + header.size + header.length > b.length) {
    return undefined;
  }
  return { explicitVR, littleEndian };
}
