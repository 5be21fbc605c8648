import { checkEndMarker, checkSize, j2kFrameSize } from './bitstream-header';
import { type CodecLoadOptions, loadOpenJpeg, runWasmDecoder } from './codec-modules';
import { CorruptFrame } from './decode-error';
import type { PixelLayout } from './pixel-layout';

/**
 * JPEG 2000 frame to native little endian bytes, samples interleaved. OpenJPEG undoes the
 * reversible/irreversible colour transform, so colour frames come out as RGB.
 */
export async function decodeJpeg2000(
  frame: Uint8Array,
  layout: PixelLayout,
  options: CodecLoadOptions,
): Promise<{ bytes: Uint8Array; photometricInterpretation: string }> {
  checkSize(j2kFrameSize(frame), layout);
  checkEndMarker(frame);
  const openjpeg = await loadOpenJpeg(options);
  const { bytes, info } = runWasmDecoder(new openjpeg.J2KDecoder(), frame, (i) =>
    checkSize({ width: i.width, height: i.height, components: i.componentCount }, layout),
  );
  const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
  if (bytesPerSample !== layout.bitsAllocated / 8) {
    throw new CorruptFrame(
      `JPEG 2000 codestream has ${info.bitsPerSample}-bit samples, BitsAllocated is ${layout.bitsAllocated}`,
    );
  }
  const photometric = layout.photometricInterpretation;
  return {
    bytes,
    photometricInterpretation: photometric === 'YBR_RCT' || photometric === 'YBR_ICT' ? 'RGB' : photometric,
  };
}
