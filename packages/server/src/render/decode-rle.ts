import { NotImplementedHttpError } from '../errors';

export interface RleLayout {
  rows: number;
  columns: number;
  samples: number;
  bitsAllocated: number;
}

/** Decodes one PackBits segment into `out` (PS3.5 G.3.1); returns the bytes written. */
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
 * RLE Lossless frame (PS3.5 Annex G) to native pixel bytes: little endian, colour planes one after
 * another (planar configuration 1), which is how the segments are ordered.
 */
export function decodeRleFrame(frame: Uint8Array, layout: RleLayout): Uint8Array {
  const bytesPerSample = layout.bitsAllocated / 8;
  const pixels = layout.rows * layout.columns;
  const expectedSegments = layout.samples * bytesPerSample;
  if (!Number.isInteger(bytesPerSample) || frame.length < 64) {
    throw new NotImplementedHttpError('cannot render: the RLE frame has no valid header');
  }
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== expectedSegments) {
    throw new NotImplementedHttpError(
      `cannot render: the RLE frame has ${segments} segments, expected ${expectedSegments} for ${layout.samples} samples of ${layout.bitsAllocated} bits`,
    );
  }
  const offsets = Array.from({ length: segments }, (_, i) => view.getUint32(4 + i * 4, true));
  const out = new Uint8Array(pixels * expectedSegments);
  const segment = new Uint8Array(pixels);
  for (let s = 0; s < layout.samples; s++) {
    for (let b = 0; b < bytesPerSample; b++) {
      const index = s * bytesPerSample + b;
      const start = offsets[index];
      const end = index + 1 < segments ? offsets[index + 1] : frame.length;
      if (start < 64 || start > end || end > frame.length) {
        throw new NotImplementedHttpError(`cannot render: RLE segment ${index} lies outside the frame`);
      }
      segment.fill(0);
      unpackSegment(frame, start, end, segment);
      // Segments go from the most significant byte down; output is little endian per plane.
      const plane = s * pixels * bytesPerSample;
      const byteInSample = bytesPerSample - 1 - b;
      for (let i = 0; i < pixels; i++) out[plane + i * bytesPerSample + byteInSample] = segment[i];
    }
  }
  return out;
}
