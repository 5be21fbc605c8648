/** Transfer syntax UIDs this package knows by name. */
export const TransferSyntax = {
  ImplicitVRLittleEndian: '1.2.840.10008.1.2',
  ExplicitVRLittleEndian: '1.2.840.10008.1.2.1',
  DeflatedExplicitVRLittleEndian: '1.2.840.10008.1.2.1.99',
  ExplicitVRBigEndian: '1.2.840.10008.1.2.2',
  JPEGBaseline: '1.2.840.10008.1.2.4.50',
  JPEGExtended: '1.2.840.10008.1.2.4.51',
  JPEGLossless: '1.2.840.10008.1.2.4.57',
  JPEGLosslessSV1: '1.2.840.10008.1.2.4.70',
  JPEGLSLossless: '1.2.840.10008.1.2.4.80',
  JPEGLSNearLossless: '1.2.840.10008.1.2.4.81',
  JPEG2000Lossless: '1.2.840.10008.1.2.4.90',
  JPEG2000: '1.2.840.10008.1.2.4.91',
  RLELossless: '1.2.840.10008.1.2.5',
} as const;

/** How a transfer syntax encodes the data set. */
export interface TransferSyntaxInfo {
  uid: string;
  explicitVR: boolean;
  littleEndian: boolean;
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
