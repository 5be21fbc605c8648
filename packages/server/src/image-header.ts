export interface ImageSize {
  rows: number;
  columns: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Width/height from a PNG IHDR or a JPEG SOFn marker, without decoding pixels. */
export function imageSize(bytes: Uint8Array): ImageSize | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isPng(bytes) && bytes.length >= 24) {
    return { columns: view.getUint32(16), rows: view.getUint32(20) };
  }
  if (!isJpeg(bytes)) return undefined;
  let pos = 2;
  while (pos + 9 < bytes.length) {
    if (bytes[pos] !== 0xff) return undefined;
    const marker = bytes[pos + 1];
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    const length = view.getUint16(pos + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { rows: view.getUint16(pos + 5), columns: view.getUint16(pos + 7) };
    pos += 2 + length;
  }
  return undefined;
}

/** Samples per pixel of each PNG colour type (gray, RGB, palette, gray+alpha, RGBA). */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Bytes a PNG inflates to according to its IHDR (scanlines with their filter bytes), before any
 * pixel is decoded; undefined when the header is missing or names no known colour type.
 */
export function pngDeclaredBytes(bytes: Uint8Array): number | undefined {
  if (!isPng(bytes) || bytes.length < 26) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24]!;
  const channels = PNG_CHANNELS[bytes[25]!];
  if (channels === undefined) return undefined;
  return height * (1 + Math.ceil((width * channels * depth) / 8));
}
