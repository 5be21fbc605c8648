/// <reference path="./codec-packages.d.ts" />
import { checkEndMarker, checkSize, jpegFrameSize } from './bitstream-header';
import { CorruptFrame } from './decode-error';
import type { PixelLayout } from './pixel-layout';

/** JPEG Lossless (Process 14, any predictor) frame to native little endian bytes, samples interleaved. */
export async function decodeJpegLossless(frame: Uint8Array, layout: PixelLayout): Promise<Uint8Array> {
  const size = jpegFrameSize(frame);
  if (size.marker !== 0xc3) throw new CorruptFrame('bitstream is not lossless JPEG (no SOF3 marker)');
  checkSize(size, layout);
  checkEndMarker(frame);
  const bytesPerSample = layout.bitsAllocated / 8;
  if (bytesPerSample !== 1 && bytesPerSample !== 2) {
    throw new CorruptFrame(`lossless JPEG into ${layout.bitsAllocated}-bit samples is not supported`);
  }
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  const copy = frame.slice();
  let out: Uint8Array | Uint16Array;
  try {
    out = new Decoder().decode(copy.buffer, 0, copy.length, bytesPerSample);
  } catch (e) {
    throw new CorruptFrame(
      `lossless JPEG bitstream is corrupt: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const expected = layout.rows * layout.columns * layout.samplesPerPixel;
  if (out.length !== expected)
    throw new CorruptFrame(`decoder returned ${out.length} samples, expected ${expected}`);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
