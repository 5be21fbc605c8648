import { PayloadTooLargeError } from '../errors';

/** Bounds on decoding user data, checked against declared sizes before anything is allocated. */
export interface DecodeLimits {
  /** Most pixels one decoded frame may have (width × height). */
  maxFramePixels: number;
  /** Most bytes a file may decompress or decode to. */
  maxDecompressedBytes: number;
}

/** Defaults: a 100-megapixel frame, 1 GiB after decompression. */
export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = {
  maxFramePixels: 100_000_000,
  maxDecompressedBytes: 1024 * 1024 * 1024,
};

/**
 * Refuses a frame whose declared size is over `maxFramePixels`, naming the limit. `subject` opens the
 * message: `cannot render: the stored PNG`, `mask rejected: the uploaded PNG`.
 */
export function checkFramePixels(subject: string, width: number, height: number, limits: DecodeLimits): void {
  const pixels = width * height;
  if (pixels > limits.maxFramePixels) {
    throw new PayloadTooLargeError(
      `${subject} declares ${width}×${height} = ${pixels} pixels per frame, over the maxFramePixels limit of ${limits.maxFramePixels}`,
    );
  }
}

/** Refuses a file whose declared decoded size is over `maxDecompressedBytes`, naming the limit. */
export function checkDecodedBytes(subject: string, bytes: number, limits: DecodeLimits): void {
  if (bytes > limits.maxDecompressedBytes) {
    throw new PayloadTooLargeError(
      `${subject} declares ${bytes} bytes once decoded, over the maxDecompressedBytes limit of ${limits.maxDecompressedBytes}`,
    );
  }
}

/** The refusal for a file that decompresses past `maxDecompressedBytes`. */
export function decompressedTooLarge(subject: string, limits: DecodeLimits): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `${subject} decompresses to more than the maxDecompressedBytes limit of ${limits.maxDecompressedBytes} bytes`,
  );
}
