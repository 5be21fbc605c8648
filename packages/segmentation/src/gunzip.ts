import { inflateSync } from 'fflate';
import { concatBytes } from './bytes';
import { crc32 } from './checksum';
import { describeSource, MaskFormatError } from './errors';

/** Deflate cannot expand data by more than about 1032:1; a larger ISIZE means a corrupt trailer. */
const MAX_RATIO = 1032;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses a (single-member) gzip file and verifies its length and CRC-32. fflate's own
 * `gunzipSync` trusts the ISIZE trailer to size its buffer and checks no CRC, so a truncated file could
 * make it allocate gigabytes or return silently short data.
 */
export function gunzip(bytes: Uint8Array, file: string | undefined): Uint8Array {
  const what = describeSource(file, 'gzip data');
  const fail = (message: string, field: string, value?: unknown, cause?: unknown) =>
    new MaskFormatError(
      `${what}: ${message}`,
      { file, field, value },
      cause === undefined ? undefined : { cause },
    );
  if (bytes.length < 18)
    throw fail(
      `is truncated: ${bytes.length} bytes, a gzip member needs at least 18`,
      'length',
      bytes.length,
    );
  if (bytes[2] !== 8)
    throw fail(`uses gzip compression method ${bytes[2]}, expected 8 (deflate)`, 'CM', bytes[2]);
  const flags = bytes[3];
  let start = 10;
  if (flags & 4) start += 2 + (bytes[10] | (bytes[11] << 8));
  for (const bit of [8, 16]) {
    if (flags & bit) {
      while (start < bytes.length && bytes[start] !== 0) start++;
      start++;
    }
  }
  if (flags & 2) start += 2;
  if (start + 8 > bytes.length) throw fail('is truncated inside the gzip header', 'header', start);

  const trailer = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 8);
  const storedCrc = trailer.getUint32(0, true);
  const size = trailer.getUint32(4, true);
  const compressed = bytes.subarray(start, bytes.length - 8);
  if (size > compressed.length * MAX_RATIO + 1024) {
    throw fail(
      `trailer claims ${size} uncompressed bytes from ${compressed.length} compressed ones; the file is truncated or corrupt`,
      'ISIZE',
      size,
    );
  }
  let out: Uint8Array;
  try {
    // One spare byte reveals a stream that holds more data than the trailer says.
    out = inflateSync(compressed, { out: new Uint8Array(size + 1) });
  } catch (error) {
    throw fail(
      `compressed data is corrupt or truncated (${error instanceof Error ? error.message : String(error)})`,
      'deflate',
      undefined,
      error,
    );
  }
  if (out.length !== size) {
    throw fail(
      `decompresses to ${out.length} bytes but its trailer says ${size}; the file is truncated or corrupt`,
      'ISIZE',
      size,
    );
  }
  const actualCrc = crc32(out);
  if (actualCrc !== storedCrc) {
    throw fail(
      `CRC-32 mismatch (stored 0x${storedCrc.toString(16)}, computed 0x${actualCrc.toString(16)}); the file is corrupt`,
      'CRC32',
      storedCrc,
    );
  }
  return out;
}

/** Decompresses with the platform's DecompressionStream, which verifies the gzip CRC and length itself. */
export async function gunzipNative(bytes: Uint8Array, file: string | undefined): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'));
    const reader = stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch (error) {
    throw new MaskFormatError(
      `${describeSource(file, 'gzip data')}: compressed data is corrupt or truncated (${error instanceof Error ? error.message : String(error)})`,
      { file, field: 'gzip' },
      { cause: error },
    );
  }
  return concatBytes(chunks);
}
