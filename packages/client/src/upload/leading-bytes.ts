import { MASK_HEADER_BYTES } from '@datamint/segmentation';
import type { FileContent } from './content';

/**
 * Compressed bytes read to inflate a `.nii.gz` mask's header: far more than the header needs (it
 * comes first and compresses well), and still a small read of a large volume.
 */
const GZIP_HEAD_READ = 64 * 1024;

/** The leading bytes {@link isGzip} reads. */
export const GZIP_MAGIC_BYTES = 3;

/**
 * Whether bytes start a gzip stream: RFC 1952's two magic bytes and its one compression method,
 * deflate (8). The third byte halves the chance that other data starting 1f 8b is taken for gzip,
 * and a stream of another method could not be inflated anyway.
 */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= GZIP_MAGIC_BYTES && head[0] === 0x1f && head[1] === 0x8b && head[2] === 8;
}

/**
 * The first `length` bytes of gzip data, inflated from its first compressed bytes only. A stream
 * cut where the read stopped fails only after what it could inflate, so that error is ignored
 * once enough has come out.
 */
export async function inflatedHead(compressed: Uint8Array, length: number): Promise<Uint8Array> {
  const reader = new Blob([compressed as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'))
    .getReader();
  const out = new Uint8Array(length);
  let filled = 0;
  try {
    while (filled < length) {
      const { done, value } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, length - filled);
      out.set(value.subarray(0, take), filled);
      filled += take;
    }
  } catch {
    // Corrupt or cut short before the header ended: what came out is all there is.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return out.subarray(0, filled);
}

/**
 * The first {@link MASK_HEADER_BYTES} bytes of a file as a PNG or NIfTI reader sees them: a gzip
 * file's inflated, from its first compressed bytes.
 */
export async function headerBytes(content: FileContent): Promise<Uint8Array> {
  const head = await content.prefix(GZIP_HEAD_READ);
  return isGzip(head) ? inflatedHead(head, MASK_HEADER_BYTES) : head.subarray(0, MASK_HEADER_BYTES);
}
