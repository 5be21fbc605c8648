import { CorruptFrame } from './decode-error';
import type { PixelLayout } from './pixel-layout';

/** Decodes one PackBits segment into `out`; returns the bytes written. */
function unpackSegment(src: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let pos = start;
  let written = 0;
  while (pos < end && written < out.length) {
    const header = src[pos++];
    const n = header > 127 ? header - 256 : header;
    if (n >= 0) {
      const count = Math.min(n + 1, out.length - written, end - pos);
      out.set(src.subarray(pos, pos + count), written);
      written += count;
      pos += n + 1;
    } else if (n !== -128) {
      const count = Math.min(1 - n, out.length - written);
      out.fill(src[pos++], written, written + count);
      written += count;
    }
  }
  return written;
}

/**
 * RLE Lossless frame to native little endian bytes with interleaved samples. The RLE header holds
 * one segment per byte of each sample, most significant byte first, colour planes one after another.
 */
export function decodeRle(frame: Uint8Array, layout: PixelLayout): Uint8Array {
  const bytesPerSample = layout.bitsAllocated / 8;
  const pixels = layout.rows * layout.columns;
  const samples = layout.samplesPerPixel;
  const expected = samples * bytesPerSample;
  if (!Number.isInteger(bytesPerSample) || frame.length < 64) {
    throw new CorruptFrame(`RLE frame of ${frame.length} bytes has no 64-byte header`);
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== expected) {
    throw new CorruptFrame(
      `RLE frame has ${segments} segments, expected ${expected} for ${samples} samples of ${layout.bitsAllocated} bits`,
    );
  }
  const offsets = Array.from({ length: segments }, (_, i) => view.getUint32(4 + i * 4, true));
  const out = new Uint8Array(pixels * expected);
  const segment = new Uint8Array(pixels);
  const stride = samples * bytesPerSample;
  for (let s = 0; s < samples; s++) {
    for (let b = 0; b < bytesPerSample; b++) {
      const index = s * bytesPerSample + b;
      const start = offsets[index];
      const end = index + 1 < segments ? offsets[index + 1] : frame.length;
      if (start < 64 || start > end || end > frame.length) {
        throw new CorruptFrame(
          `RLE segment ${index} lies outside the frame (${start}..${end} of ${frame.length})`,
        );
      }
      const written = unpackSegment(frame, start, end, segment);
      if (written < pixels) {
        throw new CorruptFrame(`RLE segment ${index} holds ${written} of ${pixels} bytes (truncated)`);
      }
      const at = s * bytesPerSample + (bytesPerSample - 1 - b);
      for (let i = 0; i < pixels; i++) out[i * stride + at] = segment[i];
    }
  }
  return out;
}
