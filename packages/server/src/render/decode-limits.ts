import { PayloadTooLargeError } from '../errors';

/** Bounds on decoding stored user data, checked against declared sizes before anything is allocated. */
export interface DecodeLimits {
  /** Most pixels one decoded frame may have (width × height). */
  maxFramePixels: number;
  /** Most bytes a compressed file may decompress to. */
  maxDecompressedBytes: number;
}

/** Defaults: a 100-megapixel frame, 1 GiB after decompression. */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = {
  maxFramePixels: 100_000_000,
  maxDecompressedBytes: 1024 * 1024 * 1024,
};

/** Refuses a frame whose declared size is over `maxFramePixels`, naming the limit. */
export function checkFramePixels(what: string, width: number, height: number, limits: DecodeLimits): void {
  const pixels = width * height;
  if (pixels > limits.maxFramePixels) {
    throw new PayloadTooLargeError(
      `cannot render: the stored ${what} declares ${width}×${height} = ${pixels} pixels per frame, over the maxFramePixels limit of ${limits.maxFramePixels}`,
    );
  }
}

/** The refusal for a file that decompresses past `maxDecompressedBytes`. */
export function decompressedTooLarge(what: string, limits: DecodeLimits): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `cannot render: the stored ${what} decompresses to more than the maxDecompressedBytes limit of ${limits.maxDecompressedBytes} bytes`,
  );
}
