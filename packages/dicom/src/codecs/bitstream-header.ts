import { CorruptFrame } from './decode-error';

/** Image size a compressed bitstream declares in its own header. */
export interface BitstreamSize {
  width: number;
  height: number;
  components: number;
  precision: number;
  /** The JPEG start-of-frame marker (0xC0..0xCF, 0xF7 for JPEG-LS); undefined for JPEG 2000. */
  marker?: number;
}

/**
 * Size from the start-of-frame segment of a JPEG or JPEG-LS bitstream. Decoders allocate from
 * these numbers, so they are checked against the DICOM header before a decoder sees the bytes.
 */
export function jpegFrameSize(b: Uint8Array): BitstreamSize {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw new CorruptFrame('no JPEG start-of-image marker');
  let p = 2;
  while (p + 4 <= b.length) {
    if (b[p] !== 0xff) throw new CorruptFrame(`no JPEG marker at byte ${p} of the frame`);
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const length = (b[p + 2] << 8) | b[p + 3];
    const isSof =
      (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) ||
      marker === 0xf7;
    if (isSof) {
      if (p + 10 > b.length) break;
      return {
        precision: b[p + 4],
        height: (b[p + 5] << 8) | b[p + 6],
        width: (b[p + 7] << 8) | b[p + 8],
        components: b[p + 9],
        marker,
      };
    }
    if (marker === 0xda || marker === 0xd9) break;
    p += 2 + length;
  }
  throw new CorruptFrame('the JPEG bitstream has no start-of-frame segment (truncated or corrupt)');
}

/** Size from the SIZ segment of a JPEG 2000 codestream (bare, or inside a JP2 file). */
export function j2kFrameSize(b: Uint8Array): BitstreamSize {
  let p = -1;
  const limit = Math.min(b.length - 4, 4096);
  for (let i = 0; i <= limit; i++) {
    if (b[i] === 0xff && b[i + 1] === 0x4f && b[i + 2] === 0xff && b[i + 3] === 0x51) {
      p = i + 2;
      break;
    }
  }
  if (p < 0 || p + 40 > b.length) throw new CorruptFrame('no JPEG 2000 codestream header (SOC, SIZ)');
  const v = new DataView(b.buffer, b.byteOffset + p, b.length - p);
  const width = v.getUint32(6) - v.getUint32(14);
  const height = v.getUint32(10) - v.getUint32(18);
  const components = v.getUint16(38);
  const precision = p + 41 <= b.length ? (b[p + 40] & 0x7f) + 1 : 0;
  return { width, height, components, precision };
}

/** Refuses a bitstream whose size is not the frame the DICOM header declares. */
export function checkSize(
  size: { width: number; height: number; components: number },
  expected: { columns: number; rows: number; samplesPerPixel: number },
): void {
  if (
    size.width !== expected.columns ||
    size.height !== expected.rows ||
    size.components !== expected.samplesPerPixel
  ) {
    throw new CorruptFrame(
      `bitstream is ${size.width}x${size.height} with ${size.components} components, the DICOM header says ${expected.columns}x${expected.rows} with ${expected.samplesPerPixel}`,
    );
  }
}

/**
 * Refuses a JPEG, JPEG-LS or JPEG 2000 bitstream that does not end with its end marker (EOI/EOC,
 * FF D9): a truncated frame would otherwise decode into a partly grey image without an error.
 * Writers pad odd-length fragments after the marker with a zero or 0xFF byte; a few such bytes
 * are allowed.
 */
export function checkEndMarker(b: Uint8Array): void {
  const endsAt = (e: number) => e >= 2 && b[e - 2] === 0xff && b[e - 1] === 0xd9;
  let end = b.length;
  while (end > b.length - 8 && end > 2 && !endsAt(end) && (b[end - 1] === 0 || b[end - 1] === 0xff)) end--;
  if (!endsAt(end)) {
    throw new CorruptFrame('the bitstream does not end with its end marker (FF D9): the frame is truncated');
  }
}
