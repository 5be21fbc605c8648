/** Mimetype by content first, then by the fixed extension table of `file-types`. */
import { readNiftiHeader } from '@datamint/segmentation';
import { mimetypeByName } from '../file-types';
import { isGzip } from './leading-bytes';

const NIFTI_MIMETYPE = 'application/x-nifti';

/** How many leading bytes {@link sniffMimetype} looks at. */
export const SNIFF_BYTES = 544;

// Every file of an upload is sniffed: the checks compare bytes in place, without building strings,
// arrays or views for each file.
function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  for (let i = 0; i < signature.length; i++) if (bytes[offset + i] !== signature[i]) return false;
  return true;
}

function ascii(text: string): number[] {
  return Array.from(text, (c) => c.charCodeAt(0));
}

/** A 32-bit integer's bytes in either order, as a file written on either kind of machine holds it. */
function int32Bytes(value: number, littleEndian: boolean): number[] {
  const bytes = [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  return littleEndian ? bytes.reverse() : bytes;
}

/** Bytes that prove a type: every run of `at` must match, each at its offset. */
interface Signature {
  mimetype: string;
  at: ReadonlyArray<readonly [offset: number, bytes: readonly number[]]>;
}

/**
 * NIfTI-1 starts with its header size, 348, and has `n+1\0` (one file) or `ni1\0` (header and image
 * apart) at byte 344; NIfTI-2 starts with 540 and has `n+2\0` or `ni2\0` at byte 4. Either byte order.
 */
function niftiSignatures(): Signature[] {
  const versions = [
    { headerSize: 348, magicAt: 344, magics: ['n+1\0', 'ni1\0'] },
    { headerSize: 540, magicAt: 4, magics: ['n+2\0', 'ni2\0'] },
  ];
  return [true, false].flatMap((littleEndian) =>
    versions.flatMap(({ headerSize, magicAt, magics }) =>
      magics.map(
        (magic): Signature => ({
          mimetype: 'application/x-nifti',
          at: [
            [0, int32Bytes(headerSize, littleEndian)],
            [magicAt, ascii(magic)],
          ],
        }),
      ),
    ),
  );
}

/**
 * Signatures in the order they are tried; the first that matches decides. A table, not a chain of
 * checks: every upload sniffs its files, and V8 compiles a small loop much faster than the chain.
 */
const SIGNATURES: readonly Signature[] = [
  { mimetype: 'application/dicom', at: [[128, ascii('DICM')]] },
  { mimetype: 'image/png', at: [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]] },
  { mimetype: 'image/jpeg', at: [[0, [0xff, 0xd8, 0xff]]] },
  { mimetype: 'image/gif', at: [[0, ascii('GIF8')]] },
  { mimetype: 'image/tiff', at: [[0, [0x49, 0x49, 0x2a, 0x00]]] },
  { mimetype: 'image/tiff', at: [[0, [0x4d, 0x4d, 0x00, 0x2a]]] },
  // BigTIFF (whole-slide pathology images are often one).
  { mimetype: 'image/tiff', at: [[0, [0x49, 0x49, 0x2b, 0x00]]] },
  { mimetype: 'image/tiff', at: [[0, [0x4d, 0x4d, 0x00, 0x2b]]] },
  // JPEG 2000: the JP2 file format's signature box, and a bare codestream (SOC then SIZ).
  {
    mimetype: 'image/jp2',
    at: [[0, [0x00, 0x00, 0x00, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]]],
  },
  { mimetype: 'image/jp2', at: [[0, [0xff, 0x4f, 0xff, 0x51]]] },
  {
    mimetype: 'video/quicktime',
    at: [
      [4, ascii('ftyp')],
      [8, ascii('qt  ')],
    ],
  },
  { mimetype: 'video/mp4', at: [[4, ascii('ftyp')]] },
  { mimetype: 'video/webm', at: [[0, [0x1a, 0x45, 0xdf, 0xa3]]] },
  {
    mimetype: 'video/x-msvideo',
    at: [
      [0, ascii('RIFF')],
      [8, ascii('AVI ')],
    ],
  },
  ...niftiSignatures(),
];

const DICOM_SIGNATURE = SIGNATURES[0]!.at[0]!;

export function isDicomPreamble(head: Uint8Array): boolean {
  return startsWith(head, DICOM_SIGNATURE[1], DICOM_SIGNATURE[0]);
}

function matches(head: Uint8Array, signature: Signature): boolean {
  for (const [offset, bytes] of signature.at) if (!startsWith(head, bytes, offset)) return false;
  return true;
}

/** The type the leading bytes prove, or undefined. */
export function sniffMimetype(head: Uint8Array): string | undefined {
  for (const signature of SIGNATURES) if (matches(head, signature)) return signature.mimetype;
  return undefined;
}

/**
 * Explicit > content (`sniffed`, from {@link sniffMimetype}) > extension; `undefined` when nothing
 * applies (sent as octet-stream).
 */
export function resolveMimetype(
  sniffed: string | undefined,
  name: string,
  explicit?: string,
): string | undefined {
  return explicit ?? sniffed ?? mimetypeByName(name);
}

/** Types every file of which starts with a signature above, by the name they are called in messages. */
const SIGNED_TYPES: ReadonlyMap<string, string> = new Map([
  ['image/png', 'PNG'],
  ['image/jpeg', 'JPEG'],
  ['image/gif', 'GIF'],
  ['image/tiff', 'TIFF'],
  [NIFTI_MIMETYPE, 'NIfTI'],
]);

/** A file's first bytes in hex, for the messages that say a file is not what its name says. */
export function firstBytes(head: Uint8Array): string {
  const shown = Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `first bytes: ${shown || 'none'}`;
}

/**
 * Why a file's leading bytes contradict its name, or `undefined`: a name that promises a type whose
 * files all start with a signature (`.png`, `.jpg`, `.nii`...) on bytes that prove no type at all.
 * Bytes that prove another type are not a contradiction (the content decides the type), nor is a
 * name without such a promise. A `.gz` name promises gzip data; what it inflates to is not read.
 */
export function contentContradiction(
  head: Uint8Array,
  name: string,
  sniffed: string | undefined,
): string | undefined {
  if (sniffed !== undefined) return undefined;
  const promised = mimetypeByName(name);
  const kind = promised === undefined ? undefined : SIGNED_TYPES.get(promised);
  if (kind === undefined) return undefined;
  const gzip = isGzip(head);
  if (/\.gz$/i.test(name)) {
    if (gzip) return undefined;
    return `named like a compressed ${kind} file, but is not gzip data (${firstBytes(head)})`;
  }
  // NIfTI readers take a compressed file whatever its name, and a magic other than the standard's
  // four bytes (`n+1` and a byte that is not NUL): the one NIfTI header reader decides.
  if (promised === NIFTI_MIMETYPE && (gzip || readNiftiHeader(head) !== undefined)) return undefined;
  return `named like a ${kind} file, but does not start like one (${firstBytes(head)})`;
}
