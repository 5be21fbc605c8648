import { inflateSync } from 'fflate';
import { concatBytes } from './bytes';
import { adler32, crc32 } from './checksum';
import { MaskFormatError } from './errors';

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Decoded samples of one channel: `samples[y * width + x]`, gray values or palette indices. */
export interface PngSamples {
  width: number;
  height: number;
  samples: Uint8Array | Uint16Array;
}

interface Header {
  width: number;
  height: number;
  depth: number;
  colourType: number;
  interlace: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const COLOUR_NAMES: Record<number, string> = {
  0: 'grayscale',
  2: 'RGB',
  3: 'palette',
  4: 'grayscale+alpha',
  6: 'RGBA',
};
const ALLOWED_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
/** Upper bound on decompressed scanlines; beyond this a "mask" is more likely an attack or corruption. */
const MAX_RAW_BYTES = 1 << 30;
const MAX_DEFLATE_RATIO = 1032;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

export interface ReadPngOptions {
  /** Channel to use for RGB/RGBA/gray+alpha images (0-based). Grayscale and palette have one channel. */
  channel?: number;
  file?: string;
}

/**
 * Reads a PNG as label samples the way Pillow hands them to the Python SDK (spec §5.2): 16-bit gray stays
 * 16-bit, 1-bit gray is 0/1, 2/4-bit gray is scaled to 0..255, palette images give their indices.
 * Structure, CRCs and the zlib stream are verified, then the already-inflated scanlines are unfiltered and
 * de-interlaced here: one inflate, and no CommonJS PNG decoder in the browser build.
 */
export function readPng(bytes: Uint8Array, options: ReadPngOptions = {}): PngSamples {
  const file = options.file;
  const { header, scanlines } = validatePng(bytes, file);
  const channels = CHANNELS[header.colourType];
  let channel = 0;
  if (channels > 1 || options.channel !== undefined) {
    channel = options.channel ?? -1;
    if (!Number.isInteger(channel) || channel < 0 || channel >= channels) {
      throw new MaskFormatError(
        options.channel === undefined
          ? `${name(file)} is a ${COLOUR_NAMES[header.colourType]} PNG; masks must be grayscale or palette, or pass channel: 0..${channels - 1} to use one channel`
          : `channel ${options.channel} does not exist in ${name(file)}, a ${COLOUR_NAMES[header.colourType]} PNG with ${channels} channel(s)`,
        { file, field: 'channel', value: options.channel ?? COLOUR_NAMES[header.colourType] },
      );
    }
  }
  return {
    width: header.width,
    height: header.height,
    samples: extractChannel(unfilterImage(scanlines, header), header, channels, channel),
  };
}

function name(file: string | undefined): string {
  return file === undefined ? 'PNG' : `PNG ${JSON.stringify(file)}`;
}

function extractChannel(
  data: Uint8Array,
  header: Header,
  channels: number,
  channel: number,
): Uint8Array | Uint16Array {
  const { width, height, depth, colourType } = header;
  const bitsPerPixel = depth * channels;
  const bytesPerRow = Math.ceil((width * bitsPerPixel) / 8);
  if (depth === 16) {
    const out = new Uint16Array(width * height);
    for (let y = 0; y < height; y++) {
      let p = y * bytesPerRow + channel * 2;
      for (let x = 0; x < width; x++, p += channels * 2) out[y * width + x] = (data[p] << 8) | data[p + 1];
    }
    return out;
  }
  const out = new Uint8Array(width * height);
  if (depth === 8) {
    for (let y = 0; y < height; y++) {
      let p = y * bytesPerRow + channel;
      for (let x = 0; x < width; x++, p += channels) out[y * width + x] = data[p];
    }
    return out;
  }
  // Sub-byte depths are single-channel (gray or palette). Pillow scales 2/4-bit gray to 8 bits and
  // reads 1-bit gray as 0/1; palette indices are used as they are.
  const scale = colourType === 3 || depth === 1 ? 1 : 255 / ((1 << depth) - 1);
  const mask = (1 << depth) - 1;
  const perByte = 8 / depth;
  for (let y = 0; y < height; y++) {
    const row = y * bytesPerRow;
    for (let x = 0; x < width; x++) {
      const byte = data[row + Math.floor(x / perByte)];
      const shift = 8 - depth * ((x % perByte) + 1);
      out[y * width + x] = ((byte >> shift) & mask) * scale;
    }
  }
  return out;
}

/** Walks every chunk: signature, lengths, CRCs, IHDR sanity, IEND presence, complete zlib stream. */
function validatePng(bytes: Uint8Array, file: string | undefined): { header: Header; scanlines: Uint8Array } {
  if (!isPng(bytes)) {
    throw new MaskFormatError(`${name(file)} does not start with the PNG signature`, {
      file,
      field: 'signature',
      value: Array.from(bytes.subarray(0, 8)),
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 8;
  let header: Header | undefined;
  const idat: Uint8Array[] = [];
  let sawEnd = false;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) {
      throw truncated(file, `a chunk header at byte ${offset}`, 12, bytes.length - offset);
    }
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (length > 0x7fffffff) {
      throw new MaskFormatError(
        `${name(file)}: chunk ${JSON.stringify(type)} at byte ${offset} declares length ${length}`,
        {
          file,
          field: type,
          value: length,
        },
      );
    }
    if (offset + 12 + length > bytes.length) {
      throw truncated(
        file,
        `chunk ${JSON.stringify(type)} at byte ${offset}`,
        length + 12,
        bytes.length - offset,
      );
    }
    const stored = view.getUint32(offset + 8 + length);
    const actual = crc32(bytes, offset + 4, offset + 8 + length);
    if (stored !== actual) {
      throw new MaskFormatError(
        `${name(file)}: CRC mismatch in chunk ${JSON.stringify(type)} at byte ${offset} (stored 0x${hex(stored)}, computed 0x${hex(actual)}); the file is corrupt`,
        { file, field: type, value: stored },
      );
    }
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (header === undefined) {
      if (type !== 'IHDR') {
        throw new MaskFormatError(`${name(file)}: first chunk is ${JSON.stringify(type)}, expected IHDR`, {
          file,
          field: 'IHDR',
          value: type,
        });
      }
      header = parseHeader(body, file);
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      sawEnd = true;
      break;
    }
    offset += 12 + length;
  }
  if (header === undefined) throw truncated(file, 'the IHDR chunk', 25, 0);
  if (idat.length === 0) {
    throw new MaskFormatError(`${name(file)} has no IDAT chunk (no image data)`, { file, field: 'IDAT' });
  }
  if (!sawEnd) {
    throw new MaskFormatError(`${name(file)} is truncated: it ends without an IEND chunk`, {
      file,
      field: 'IEND',
    });
  }
  const stream = concatBytes(idat);
  const scanlines = checkZlib(stream, scanlineGroups(header), file);
  return { header, scanlines };
}

function parseHeader(body: Uint8Array, file: string | undefined): Header {
  if (body.length !== 13) {
    throw new MaskFormatError(`${name(file)}: IHDR has ${body.length} bytes, expected 13`, {
      file,
      field: 'IHDR',
      value: body.length,
    });
  }
  const view = new DataView(body.buffer, body.byteOffset, 13);
  const header: Header = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    depth: body[8],
    colourType: body[9],
    interlace: body[12],
  };
  const fail = (field: string, value: number, expected: string) =>
    new MaskFormatError(`${name(file)}: IHDR ${field} is ${value}, expected ${expected}`, {
      file,
      field,
      value,
    });
  if (header.width < 1 || header.width > 0x7fffffff) throw fail('width', header.width, '1..2^31-1');
  if (header.height < 1 || header.height > 0x7fffffff) throw fail('height', header.height, '1..2^31-1');
  const depths = ALLOWED_DEPTHS[header.colourType];
  if (depths === undefined) throw fail('colour type', header.colourType, 'one of 0, 2, 3, 4, 6');
  if (!depths.includes(header.depth)) {
    throw fail(`bit depth (colour type ${header.colourType})`, header.depth, depths.join(', '));
  }
  if (body[10] !== 0) throw fail('compression method', body[10], '0');
  if (body[11] !== 0) throw fail('filter method', body[11], '0');
  if (header.interlace > 1) throw fail('interlace method', header.interlace, '0 or 1');
  return header;
}

/** Scanline groups of the image: one for plain images, one per non-empty Adam7 pass. */
/** One run of scanlines: the whole image, or one Adam7 pass (pixels x0 + dx*i, y0 + dy*j). */
interface ScanlineGroup {
  rows: number;
  /** Bytes per scanline including its filter byte. */
  rowBytes: number;
  columns: number;
  x0: number;
  y0: number;
  dx: number;
  dy: number;
}

/** The seven Adam7 interlace passes (PNG spec §8.2) as [x0, y0, dx, dy]. */
export const ADAM7_PASSES: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

function scanlineGroups(header: Header): ScanlineGroup[] {
  const bitsPerPixel = header.depth * CHANNELS[header.colourType];
  const rowBytes = (w: number) => 1 + Math.ceil((w * bitsPerPixel) / 8);
  if (header.interlace === 0) {
    const { width, height } = header;
    return [{ rows: height, rowBytes: rowBytes(width), columns: width, x0: 0, y0: 0, dx: 1, dy: 1 }];
  }
  const groups: ScanlineGroup[] = [];
  for (const [x0, y0, dx, dy] of ADAM7_PASSES) {
    const w = Math.ceil((header.width - x0) / dx);
    const h = Math.ceil((header.height - y0) / dy);
    if (w > 0 && h > 0) groups.push({ rows: h, rowBytes: rowBytes(w), columns: w, x0, y0, dx, dy });
  }
  return groups;
}

/** Inflates and verifies the zlib stream; returns the filtered scanlines. */
function checkZlib(stream: Uint8Array, groups: ScanlineGroup[], file: string | undefined): Uint8Array {
  const expected = groups.reduce((sum, g) => sum + g.rows * g.rowBytes, 0);
  if (expected > MAX_RAW_BYTES) {
    throw new MaskFormatError(
      `${name(file)} would decompress to ${expected} bytes, more than the ${MAX_RAW_BYTES} allowed`,
      {
        file,
        field: 'IHDR',
        value: expected,
      },
    );
  }
  if (stream.length < 6) throw truncated(file, 'the zlib stream in IDAT', 6, stream.length);
  if (expected > stream.length * MAX_DEFLATE_RATIO + 1024) {
    // Deflate cannot expand more than ~1032:1, so the image data must be truncated; don't allocate for it.
    throw new MaskFormatError(
      `${name(file)} is truncated: IHDR needs ${expected} bytes of scanlines but IDAT holds only ${stream.length} compressed bytes`,
      { file, field: 'IDAT', value: stream.length },
    );
  }
  const cmf = stream[0];
  const flg = stream[1];
  if ((cmf & 0x0f) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || flg & 0x20) {
    throw new MaskFormatError(
      `${name(file)}: IDAT does not start with a valid zlib header (0x${hex(cmf)} 0x${hex(flg)})`,
      {
        file,
        field: 'IDAT',
        value: (cmf << 8) | flg,
      },
    );
  }
  let raw: Uint8Array;
  try {
    // One spare byte: output that fills it means the stream holds more data than IHDR describes.
    raw = inflateSync(stream.subarray(2, stream.length - 4), { out: new Uint8Array(expected + 1) });
  } catch (error) {
    throw new MaskFormatError(
      `${name(file)}: image data is corrupt or truncated (${error instanceof Error ? error.message : String(error)})`,
      { file, field: 'IDAT' },
      { cause: error },
    );
  }
  if (raw.length !== expected) {
    throw new MaskFormatError(
      `${name(file)}: image data decompresses to ${raw.length} bytes, IHDR requires ${expected}${raw.length < expected ? ' (truncated)' : ''}`,
      { file, field: 'IDAT', value: raw.length },
    );
  }
  const view = new DataView(stream.buffer, stream.byteOffset + stream.length - 4, 4);
  const stored = view.getUint32(0);
  const actual = adler32(raw.subarray(0, expected));
  if (stored !== actual) {
    throw new MaskFormatError(
      `${name(file)}: zlib checksum mismatch in IDAT (stored 0x${hex(stored)}, computed 0x${hex(actual)})`,
      { file, field: 'IDAT', value: stored },
    );
  }
  let p = 0;
  for (const { rows, rowBytes } of groups) {
    for (let y = 0; y < rows; y++, p += rowBytes) {
      // Filter types beyond 4 are invalid; rejected before any row is unfiltered.
      if (raw[p] > 4) {
        throw new MaskFormatError(`${name(file)}: scanline ${y} uses filter type ${raw[p]}, expected 0..4`, {
          file,
          field: 'filter',
          value: raw[p],
        });
      }
    }
  }
  return raw.subarray(0, expected);
}

function truncated(
  file: string | undefined,
  what: string,
  needed: number,
  available: number,
): MaskFormatError {
  return new MaskFormatError(
    `${name(file)} is truncated: ${what} needs ${needed} bytes but only ${available} remain`,
    { file, field: 'length', value: available },
  );
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/**
 * Unfilters every pass and lays the pixels out as one non-interlaced image, rows packed at the image's own
 * bit depth (`ceil(width * bitsPerPixel / 8)` bytes each). Filters work on whole bytes with the left
 * neighbour one pixel back, or one byte back for sub-byte pixels.
 */
function unfilterImage(scanlines: Uint8Array, header: Header): Uint8Array {
  const bitsPerPixel = header.depth * CHANNELS[header.colourType];
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const outRow = Math.ceil((header.width * bitsPerPixel) / 8);
  const out = new Uint8Array(outRow * header.height);
  let offset = 0;
  for (const { rows, rowBytes, columns, x0, y0, dx, dy } of scanlineGroups(header)) {
    const rowData = rowBytes - 1;
    const pass = header.interlace === 0 ? out : new Uint8Array(rows * rowData);
    for (let y = 0; y < rows; y++) {
      const filter = scanlines[offset + y * rowBytes];
      const src = offset + y * rowBytes + 1;
      const o = y * rowData;
      for (let x = 0; x < rowData; x++) {
        const a = x >= bpp ? pass[o + x - bpp] : 0;
        const b = y > 0 ? pass[o - rowData + x] : 0;
        const c = x >= bpp && y > 0 ? pass[o - rowData + x - bpp] : 0;
        const v = scanlines[src + x];
        pass[o + x] =
          filter === 0
            ? v
            : filter === 1
              ? v + a
              : filter === 2
                ? v + b
                : filter === 3
                  ? v + ((a + b) >> 1)
                  : v + paeth(a, b, c);
      }
      if (pass !== out) scatterRow(pass, o, out, (y0 + y * dy) * outRow, columns, x0, dx, bitsPerPixel);
    }
    offset += rows * rowBytes;
  }
  return out;
}

/** Copies one Adam7 pass row's pixels to their columns `x0 + i * dx` of the full-size row. */
function scatterRow(
  pass: Uint8Array,
  from: number,
  out: Uint8Array,
  to: number,
  columns: number,
  x0: number,
  dx: number,
  bitsPerPixel: number,
): void {
  if (bitsPerPixel >= 8) {
    const bytes = bitsPerPixel >> 3;
    for (let i = 0; i < columns; i++) {
      const s = from + i * bytes;
      out.set(pass.subarray(s, s + bytes), to + (x0 + i * dx) * bytes);
    }
    return;
  }
  const mask = (1 << bitsPerPixel) - 1;
  for (let i = 0; i < columns; i++) {
    const srcBit = i * bitsPerPixel;
    const value = (pass[from + (srcBit >> 3)] >> (8 - bitsPerPixel - (srcBit & 7))) & mask;
    const dstBit = (x0 + i * dx) * bitsPerPixel;
    const shift = 8 - bitsPerPixel - (dstBit & 7);
    const at = to + (dstBit >> 3);
    out[at] = (out[at] & ~(mask << shift)) | (value << shift);
  }
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
