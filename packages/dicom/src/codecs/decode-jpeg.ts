import { checkEndMarker, checkSize, jpegFrameSize } from './bitstream-header';
import { type CodecLoadOptions, loadLibJpegTurbo, runWasmDecoder } from './codec-modules';
import { CorruptFrame } from './decode-error';
import { decodeJpegDct } from './decode-jpeg-12bit';
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
  if (
    size.precision === 12 &&
    layout.bitsAllocated === 16 &&
    (size.marker === 0xc1 || size.marker === 0xc0)
  ) {
    // libjpeg-turbo is built for 8-bit samples; 12-bit grayscale JPEG Extended has its own decoder.
    return {
      bytes: decodeJpegDct(frame, layout),
      photometricInterpretation: layout.photometricInterpretation,
    };
  }
  if (size.precision !== 8) {
    throw new CorruptFrame(
      `${size.precision}-bit DCT JPEG (marker 0xFF${(size.marker ?? 0).toString(16).toUpperCase()}, ${size.components} components) is not supported`,
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
