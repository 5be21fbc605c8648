import { checkEndMarker, checkSize, jpegFrameSize } from './bitstream-header';
import { type CodecLoadOptions, loadLibJpegTurbo, runWasmDecoder } from './codec-modules';
import { CorruptFrame } from './decode-error';
import type { PixelLayout } from './pixel-layout';

/**
 * 8-bit JPEG baseline/extended frame to bytes, samples interleaved. libjpeg-turbo converts YCbCr
 * to RGB (and leaves Adobe "no transform" RGB alone), so colour frames come out as RGB.
 */
export async function decodeJpegBaseline(
  frame: Uint8Array,
  layout: PixelLayout,
  options: CodecLoadOptions,
): Promise<{ bytes: Uint8Array; photometricInterpretation: string }> {
  const size = jpegFrameSize(frame);
  checkSize(size, layout);
  checkEndMarker(frame);
  if (size.marker === 0xc3 || size.marker === 0xf7) {
    throw new CorruptFrame('bitstream is lossless JPEG, not the DCT process the transfer syntax names');
  }
  if (size.precision !== 8) {
    throw new CorruptFrame(
      `${size.precision}-bit DCT JPEG is not supported; only 8-bit JPEG baseline/extended is decoded`,
    );
  }
  const turbo = await loadLibJpegTurbo(options);
  const { bytes } = runWasmDecoder(new turbo.JPEGDecoder(), frame, (info) =>
    checkSize({ width: info.width, height: info.height, components: info.componentCount }, layout),
  );
  const expected = layout.rows * layout.columns * layout.samplesPerPixel;
  if (bytes.length !== expected)
    throw new CorruptFrame(`JPEG decoder returned ${bytes.length} bytes, expected ${expected}`);
  return {
    bytes,
    photometricInterpretation: layout.samplesPerPixel === 3 ? 'RGB' : layout.photometricInterpretation,
  };
}
