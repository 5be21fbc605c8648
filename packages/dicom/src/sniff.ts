import { TransferSyntax } from './transfer-syntax';

const VRS = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  ),
);
const LONG = new Set('OB OD OF OL OV OW SQ SV UC UN UR UT UV'.split(' '));
const UNDEFINED = 0xffffffff;
const MAX_ELEMENTS = 6;

/** True when bytes 128..131 are `DICM` (Part 10 file with preamble). */
export function hasPart10Marker(b: Uint8Array): boolean {
  return b.length >= 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;
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

/** Explicit VR little endian header at `p`, or undefined when the VR letters are not a VR. */
function explicitHeader(b: Uint8Array, p: number): ElementHeader | undefined {
  const vr = String.fromCharCode(b[p + 4], b[p + 5]);
  if (!VRS.has(vr)) return undefined;
  if (!LONG.has(vr)) return { size: 8, length: b[p + 6] | (b[p + 7] << 8), mayBeUndefined: false };
  if (p + 12 > b.length || b[p + 6] !== 0 || b[p + 7] !== 0) return undefined;
  const length = (b[p + 8] | (b[p + 9] << 8) | (b[p + 10] << 16) | (b[p + 11] << 24)) >>> 0;
  return { size: 12, length, mayBeUndefined: vr === 'SQ' || vr === 'UN' || vr === 'OB' || vr === 'OW' };
}

/** Implicit VR little endian header at `p`: tag and a 4-byte length. */
function implicitHeader(b: Uint8Array, p: number): ElementHeader {
  const length = (b[p + 4] | (b[p + 5] << 8) | (b[p + 6] << 16) | (b[p + 7] << 24)) >>> 0;
  return { size: 8, length, mayBeUndefined: true };
}

/**
 * Walks the first few elements: each tag must be plausible and above the previous one, and each
 * value must fit in the data. An undefined length ends the walk (we cannot skip the value).
 */
function walk(b: Uint8Array, readHeader: (b: Uint8Array, p: number) => ElementHeader | undefined): boolean {
  let p = 0;
  let previous = -1;
  let count = 0;
  while (count < MAX_ELEMENTS && p + 8 <= b.length) {
    const group = b[p] | (b[p + 1] << 8);
    const element = b[p + 2] | (b[p + 3] << 8);
    if (!plausibleTag(group, element, previous)) return false;
    const header = readHeader(b, p);
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
 * elements: explicit VR when VR letters are present and every length fits, else implicit VR.
 * Returns undefined when neither reading is plausible.
 */
export function sniffRawTransferSyntax(b: Uint8Array): string | undefined {
  if (b.length < 8) return undefined;
  if (walk(b, explicitHeader)) return TransferSyntax.ExplicitVRLittleEndian;
  if (walk(b, implicitHeader)) return TransferSyntax.ImplicitVRLittleEndian;
  return undefined;
}
