/** Transfer syntax UIDs this package knows by name. */
export const TransferSyntax = {
  /** Implicit VR Little Endian: the default transfer syntax. */
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  /** Explicit VR Little Endian. */
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  /** Deflated Explicit VR Little Endian: the data set is zlib-deflated. */
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  /** Explicit VR Big Endian (retired, still read). */
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  /** JPEG Baseline (Process 1), 8-bit lossy. */
  JPEGBaseline: '1.2.840.10008.1.2.4.50',
  /** JPEG Extended (Processes 2 & 4), 12-bit lossy. */
  JPEGExtended: '1.2.840.10008.1.2.4.51',
  /** JPEG Lossless, Non-Hierarchical (Process 14). */
  JPEGLossless: '1.2.840.10008.1.2.4.57',
  /** JPEG Lossless, Process 14, first-order prediction (selection value 1). */
  JPEGLosslessSV1: '1.2.840.10008.1.2.4.70',
  /** JPEG-LS Lossless. */
  JPEGLSLossless: '1.2.840.10008.1.2.4.80',
  /** JPEG-LS Near-Lossless. */
  JPEGLSNearLossless: '1.2.840.10008.1.2.4.81',
  /** JPEG 2000 (lossless only). */
  JPEG2000Lossless: '1.2.840.10008.1.2.4.90',
  /** JPEG 2000 (lossless or lossy). */
  JPEG2000: '1.2.840.10008.1.2.4.91',
  /** RLE Lossless. */
  RLELossless: '1.2.840.10008.1.2.5',
} as const;

/** How a transfer syntax encodes the data set. */
export interface TransferSyntaxInfo {
  /** The transfer syntax UID. */
  uid: string;
  /** Elements carry their VR. */
  explicitVR: boolean;
  /** Numbers are little-endian. */
  littleEndian: boolean;
  /** The data set is deflated. */
  deflated: boolean;
  /** Pixel data is encapsulated (compressed fragments) rather than native. */
  encapsulated: boolean;
}

const NATIVE = new Set<string>([
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
]);

/**
 * Encoding rules of a transfer syntax UID. Every UID other than the four native ones is an
 * explicit little endian syntax with encapsulated pixel data (JPEG, JPEG-LS, J2K, RLE, HTJ2K, MPEG...).
 */
export function transferSyntaxInfo(uid: string): TransferSyntaxInfo {
  return {
    uid,
    explicitVR: uid !== TransferSyntax.ImplicitVRLittleEndian,
    littleEndian: uid !== TransferSyntax.ExplicitVRBigEndian,
    deflated: uid === TransferSyntax.DeflatedExplicitVRLittleEndian,
    encapsulated: !NATIVE.has(uid),
  };
}

/** The uncompressed transfer syntax that encodes a data set with this VR mode and byte order. */
export function uncompressedSyntaxFor(encoding: { explicitVR: boolean; littleEndian: boolean }): string {
  if (!encoding.explicitVR) return TransferSyntax.ImplicitVRLittleEndian;
  return encoding.littleEndian ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ExplicitVRBigEndian;
}

/**
 * True when the UID of `info` really describes its VR mode and byte order. False only for a data
 * set whose bytes disagree with a compressed or deflated syntax (e.g. declared JPEG-LS, encoded
 * implicit VR): no transfer syntax UID describes such a file, so it cannot be written as it is.
 */
export function isSelfConsistent(info: TransferSyntaxInfo): boolean {
  const named = transferSyntaxInfo(info.uid);
  return named.explicitVR === info.explicitVR && named.littleEndian === info.littleEndian;
}

/** Short human name of an encoding for messages: `explicit VR little endian`. */
export function encodingName(encoding: { explicitVR: boolean; littleEndian: boolean }): string {
  return `${encoding.explicitVR ? 'explicit' : 'implicit'} VR ${encoding.littleEndian ? 'little' : 'big'} endian`;
}

/** VRs whose explicit-VR header has 2 reserved bytes and a 4-byte length (12-byte header). */
export const LONG_HEADER_VRS: ReadonlySet<string> = new Set([
  'OB',
  'OD',
  'OF',
  'OL',
  'OV',
  'OW',
  'SQ',
  'SV',
  'UC',
  'UN',
  'UR',
  'UT',
  'UV',
]);

/** Header length of an element in the given encoding. */
export function headerLength(vr: string | undefined, explicitVR: boolean): number {
  if (!explicitVR) return 8;
  return vr !== undefined && LONG_HEADER_VRS.has(vr) ? 12 : 8;
}
