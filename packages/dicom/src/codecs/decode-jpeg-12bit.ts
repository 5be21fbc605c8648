import { CorruptFrame } from './decode-error';
import type { PixelLayout } from './pixel-layout';

// A small sequential-DCT Huffman JPEG decoder for one-component 12-bit images (JPEG Extended,
// process 4), which the 8-bit libjpeg-turbo build cannot read. Structure follows the JPEG standard's
// decoder (Annex F): canonical Huffman tables, DC prediction, run-length AC, restart intervals.

const ZIGZAG = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
  53, 60, 61, 54, 47, 55, 62, 63,
]);

/** cos((2x+1)uπ/16) scaled by C(u)/2, indexed [x * 8 + u]. */
const IDCT = (() => {
  const t = new Float64Array(64);
  for (let x = 0; x < 8; x++) {
    for (let u = 0; u < 8; u++)
      t[x * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
  }
  return t;
})();

interface Huffman {
  /** Largest code of each length (1..16), -1 when none. */
  maxCode: Int32Array;
  /** Index into `values` of the first code of each length, minus that code. */
  offset: Int32Array;
  values: Uint8Array;
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): Huffman {
  const maxCode = new Int32Array(18).fill(-1);
  const offset = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    offset[len] = k - code;
    code += counts[len - 1];
    k += counts[len - 1];
    if (counts[len - 1] > 0) maxCode[len] = code - 1;
    code <<= 1;
  }
  return { maxCode, offset, values };
}

class BitReader {
  private bits = 0;
  private count = 0;
  /** A marker was reached: the entropy-coded segment is over until a restart is consumed. */
  private atMarker = false;
  constructor(
    private readonly b: Uint8Array,
    public pos: number,
  ) {}

  bit(): number {
    if (this.count === 0) {
      if (this.atMarker || this.pos >= this.b.length)
        throw new CorruptFrame('JPEG entropy-coded data ends early');
      const byte = this.b[this.pos++];
      if (byte === 0xff) {
        const next = this.b[this.pos];
        if (next === 0) this.pos++;
        else {
          this.pos--;
          this.atMarker = true;
          throw new CorruptFrame('JPEG entropy-coded data ends early');
        }
      }
      this.bits = byte;
      this.count = 8;
    }
    this.count--;
    return (this.bits >> this.count) & 1;
  }

  receive(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }

  decode(h: Huffman): number {
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      code = (code << 1) | this.bit();
      if (code <= h.maxCode[len]) {
        const v = h.values[h.offset[len] + code];
        if (v === undefined) break;
        return v;
      }
    }
    throw new CorruptFrame('invalid Huffman code in the JPEG data');
  }

  /** Skips to the next RSTn marker and past it. */
  restart(): void {
    this.count = 0;
    this.atMarker = false;
    while (
      this.pos + 1 < this.b.length &&
      !(this.b[this.pos] === 0xff && this.b[this.pos + 1] >= 0xd0 && this.b[this.pos + 1] <= 0xd7)
    )
      this.pos++;
    if (this.pos + 1 >= this.b.length) throw new CorruptFrame('JPEG restart marker missing');
    this.pos += 2;
  }
}

function extend(v: number, s: number): number {
  return s > 0 && v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

/** Decodes a one-component sequential DCT JPEG of 8 or 12 bits into little endian 16-bit samples. */
export function decodeJpegDct(b: Uint8Array, layout: PixelLayout): Uint8Array {
  const quant: (Int32Array | undefined)[] = [];
  const dcTables: (Huffman | undefined)[] = [];
  const acTables: (Huffman | undefined)[] = [];
  let width = 0;
  let height = 0;
  let precision = 0;
  let tq = 0;
  let restartInterval = 0;
  let p = 2;
  for (;;) {
    if (p + 4 > b.length || b[p] !== 0xff) throw new CorruptFrame('JPEG header is truncated or corrupt');
    const marker = b[p + 1];
    if (marker === 0xff) {
      p++;
      continue;
    }
    const length = (b[p + 2] << 8) | b[p + 3];
    const end = p + 2 + length;
    if (end > b.length) throw new CorruptFrame('JPEG segment extends past the frame');
    let q = p + 4;
    if (marker === 0xdb) {
      while (q < end) {
        const wide = b[q] >> 4;
        const id = b[q] & 15;
        q++;
        const table = new Int32Array(64);
        for (let k = 0; k < 64; k++) {
          table[ZIGZAG[k]] = wide ? (b[q] << 8) | b[q + 1] : b[q];
          q += wide ? 2 : 1;
        }
        quant[id] = table;
      }
    } else if (marker === 0xc4) {
      while (q < end) {
        const cls = b[q] >> 4;
        const id = b[q] & 15;
        const counts = b.subarray(q + 1, q + 17);
        const total = counts.reduce((s, c) => s + c, 0);
        const table = buildHuffman(counts, b.slice(q + 17, q + 17 + total));
        (cls === 0 ? dcTables : acTables)[id] = table;
        q += 17 + total;
      }
    } else if (marker === 0xc0 || marker === 0xc1) {
      precision = b[q];
      height = (b[q + 1] << 8) | b[q + 2];
      width = (b[q + 3] << 8) | b[q + 4];
      if (b[q + 5] !== 1)
        throw new CorruptFrame(`${b[q + 5]}-component ${precision}-bit DCT JPEG is not supported`);
      tq = b[q + 8];
    } else if (marker === 0xdd) {
      restartInterval = (b[q] << 8) | b[q + 1];
    } else if (marker === 0xda) {
      const td = b[q + 2] >> 4;
      const ta = b[q + 2] & 15;
      return decodeScan(b, end, { width, height, precision, restartInterval }, layout, {
        quant: quant[tq],
        dc: dcTables[td],
        ac: acTables[ta],
      });
    } else if (
      (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) ||
      marker === 0xd9
    ) {
      throw new CorruptFrame(
        `JPEG process with marker 0xFF${marker.toString(16).toUpperCase()} is not supported`,
      );
    }
    p = end;
  }
}

function decodeScan(
  b: Uint8Array,
  start: number,
  frame: { width: number; height: number; precision: number; restartInterval: number },
  layout: PixelLayout,
  tables: { quant?: Int32Array; dc?: Huffman; ac?: Huffman },
): Uint8Array {
  const { quant, dc, ac } = tables;
  if (!quant || !dc || !ac) throw new CorruptFrame('JPEG scan refers to a table that was not defined');
  if (frame.width !== layout.columns || frame.height !== layout.rows) {
    throw new CorruptFrame(
      `JPEG is ${frame.width}x${frame.height}, the DICOM header says ${layout.columns}x${layout.rows}`,
    );
  }
  const { width, height } = frame;
  const out = new Uint16Array(width * height);
  const max = (1 << frame.precision) - 1;
  const shift = 1 << (frame.precision - 1);
  const blocksPerLine = Math.ceil(width / 8);
  const blocks = blocksPerLine * Math.ceil(height / 8);
  const reader = new BitReader(b, start);
  const coef = new Float64Array(64);
  const tmp = new Float64Array(64);
  let pred = 0;
  for (let n = 0; n < blocks; n++) {
    if (frame.restartInterval > 0 && n > 0 && n % frame.restartInterval === 0) {
      reader.restart();
      pred = 0;
    }
    coef.fill(0);
    const s = reader.decode(dc);
    pred += extend(reader.receive(s), s);
    coef[0] = pred * quant[0];
    for (let k = 1; k < 64; ) {
      const rs = reader.decode(ac);
      const r = rs >> 4;
      const size = rs & 15;
      if (size === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) throw new CorruptFrame('JPEG block has more than 64 coefficients');
      const z = ZIGZAG[k];
      coef[z] = extend(reader.receive(size), size) * quant[z];
      k++;
    }
    // Separable inverse DCT: rows of coefficients, then columns.
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        let sum = 0;
        for (let u = 0; u < 8; u++) sum += IDCT[x * 8 + u] * coef[y * 8 + u];
        tmp[y * 8 + x] = sum;
      }
    }
    const bx = (n % blocksPerLine) * 8;
    const by = Math.floor(n / blocksPerLine) * 8;
    for (let x = 0; x < 8; x++) {
      if (bx + x >= width) break;
      for (let y = 0; y < 8; y++) {
        if (by + y >= height) break;
        let sum = 0;
        for (let v = 0; v < 8; v++) sum += IDCT[y * 8 + v] * tmp[v * 8 + x];
        const value = Math.round(sum + shift);
        out[(by + y) * width + bx + x] = Math.max(0, Math.min(max, value));
      }
    }
  }
  return new Uint8Array(out.buffer);
}
