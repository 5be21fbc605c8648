import { checkEndMarker, checkSize, jpegFrameSize } from './bitstream-header';
import { type CodecLoadOptions, loadCharls } from './codec-modules';
import { CorruptFrame } from './decode-error';
import type { PixelLayout } from './pixel-layout';
import { planarToInterleaved } from './sample-order';

/** JPEG-LS frame to native little endian bytes, samples interleaved. */
export async function decodeJpegLs(
  frame: Uint8Array,
  layout: PixelLayout,
  options: CodecLoadOptions,
): Promise<Uint8Array> {
  const size = jpegFrameSize(frame);
  if (size.marker !== 0xf7) throw new CorruptFrame('bitstream is not JPEG-LS (no SOF55 marker)');
  checkSize(size, layout);
  checkEndMarker(frame);
  const charls = await loadCharls(options);
  const decoder = new charls.JpegLSDecoder();
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    decoder.decode();
    const info = decoder.getFrameInfo();
    checkSize({ width: info.width, height: info.height, components: info.componentCount }, layout);
    const bytes = decoder.getDecodedBuffer().slice();
    // Interleave mode 0 codes each component in its own scan, and CharLS returns them as planes.
    return info.componentCount > 1 && decoder.getInterleaveMode() === 0
      ? planarToInterleaved(bytes, layout)
      : bytes;
  } finally {
    decoder.delete();
  }
}
