import { AdlerRuns } from './checksum';
import { nextNonZero, nextZero, wordView } from './scan';

/*
 * A zlib encoder specialised for binary mask images. A mask PNG's filtered scanlines (filter type 0)
 * are nothing but runs of 0x00 and 0xFF bytes, so each run is one literal plus back-references at
 * distance 1. Generic deflate (fflate, zlib) spends most of its time searching for matches we already
 * know; this encoder writes them directly, in one dynamic-Huffman block whose code lengths are fixed and
 * tuned for that symbol mix: a 258-byte repeat costs 2 bits, so a blank 512x512 RGB frame is < 1 KB.
 */

/** Code lengths of the literal/length alphabet: 285 (length 258) gets 1 bit, literal 0 gets 5, the rest 6. */
function litLenLengths(): Uint8Array {
  const lengths = new Uint8Array(286);
  lengths[0] = 5;
  lengths[255] = 6;
  for (let s = 256; s <= 284; s++) lengths[s] = 6;
  lengths[285] = 1;
  return lengths;
}

/** Canonical Huffman codes (RFC 1951 §3.2.2), bit-reversed so they can be written LSB-first. */
function canonicalCodes(lengths: ArrayLike<number>): Uint16Array {
  const maxBits = 15;
  const blCount = new Uint16Array(maxBits + 1);
  for (let i = 0; i < lengths.length; i++) if (lengths[i]) blCount[lengths[i]]++;
  const next = new Uint16Array(maxBits + 1);
  let code = 0;
  for (let bits = 1; bits <= maxBits; bits++) {
    code = (code + blCount[bits - 1]) << 1;
    next[bits] = code;
  }
  const codes = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s];
    if (!len) continue;
    const c = next[len]++;
    let reversed = 0;
    for (let b = 0; b < len; b++) reversed |= ((c >> b) & 1) << (len - 1 - b);
    codes[s] = reversed;
  }
  return codes;
}

interface Tables {
  litLenBits: Uint8Array;
  litLenCodes: Uint16Array;
  /** Per match length 3..258: the length symbol's code, its extra bits and the 1-bit distance code, packed. */
  matchValue: Uint32Array;
  matchBits: Uint8Array;
  /** The dynamic block header (BFINAL, BTYPE, HLIT..., code lengths) as a bit string. */
  headerValues: number[];
  headerBits: number[];
}

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195,
  227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

function buildTables(): Tables {
  const litLenBits = litLenLengths();
  const litLenCodes = canonicalCodes(litLenBits);
  const matchValue = new Uint32Array(259);
  const matchBits = new Uint8Array(259);
  for (let i = 0; i < LENGTH_BASE.length; i++) {
    const symbol = 257 + i;
    const top = i + 1 < LENGTH_BASE.length ? Math.min(LENGTH_BASE[i + 1] - 1, 258) : 258;
    for (let len = LENGTH_BASE[i]; len <= top; len++) {
      if (symbol !== 285 && len === 258) break;
      const codeBits = litLenBits[symbol];
      const extraBits = LENGTH_EXTRA[i];
      // The distance alphabet has one code (distance 1) of length 1: the bit 0 after the extra bits.
      matchValue[len] = litLenCodes[symbol] | ((len - LENGTH_BASE[i]) << codeBits);
      matchBits[len] = codeBits + extraBits + 1;
    }
  }

  // Code lengths of the 286 literal/length codes followed by the single distance code, run-length coded
  // with the code-length alphabet (16 = repeat previous 3-6x, 17/18 = runs of zeros).
  const all = [...litLenBits, 1];
  const clSymbols: Array<[symbol: number, extra: number, extraBits: number]> = [];
  for (let i = 0; i < all.length; ) {
    const v = all[i];
    let run = 1;
    while (i + run < all.length && all[i + run] === v) run++;
    if (v === 0 && run >= 3) {
      let left = run;
      while (left >= 11) {
        const n = Math.min(left, 138);
        clSymbols.push([18, n - 11, 7]);
        left -= n;
      }
      while (left >= 3) {
        const n = Math.min(left, 10);
        clSymbols.push([17, n - 3, 3]);
        left -= n;
      }
      for (; left > 0; left--) clSymbols.push([0, 0, 0]);
    } else {
      clSymbols.push([v, 0, 0]);
      let left = run - 1;
      while (left >= 3) {
        const n = Math.min(left, 6);
        clSymbols.push([16, n - 3, 2]);
        left -= n;
      }
      for (; left > 0; left--) clSymbols.push([v, 0, 0]);
    }
    i += run;
  }
  // A complete prefix code over the code-length symbols that actually occur.
  const clLengths = new Uint8Array(19);
  const used = [...new Set(clSymbols.map(([s]) => s))].sort((a, b) => a - b);
  const clLengthPlan = completeCodeLengths(used.length);
  used.forEach((s, k) => {
    clLengths[s] = clLengthPlan[k];
  });
  const clCodes = canonicalCodes(clLengths);
  let hclen = 19;
  while (hclen > 4 && clLengths[CODE_LENGTH_ORDER[hclen - 1]] === 0) hclen--;

  const headerValues: number[] = [];
  const headerBits: number[] = [];
  const put = (value: number, bits: number) => {
    headerValues.push(value);
    headerBits.push(bits);
  };
  put(1, 1); // BFINAL
  put(2, 2); // BTYPE = dynamic Huffman
  put(286 - 257, 5); // HLIT
  put(1 - 1, 5); // HDIST
  put(hclen - 4, 4);
  for (let i = 0; i < hclen; i++) put(clLengths[CODE_LENGTH_ORDER[i]], 3);
  for (const [symbol, extra, extraBits] of clSymbols) {
    put(clCodes[symbol], clLengths[symbol]);
    if (extraBits) put(extra, extraBits);
  }
  return { litLenBits, litLenCodes, matchValue, matchBits, headerValues, headerBits };
}

/** Lengths of a complete prefix code for `n` symbols (n >= 2): as balanced as possible, at most 7 bits. */
function completeCodeLengths(n: number): number[] {
  const depth = Math.ceil(Math.log2(n));
  // With 2^depth leaves, merge pairs of leaves until only n remain: each merge shortens one code.
  const shorter = 2 ** depth - n;
  return Array.from({ length: n }, (_, k) => (k < shorter ? depth - 1 : depth));
}

const TABLES: Readonly<Tables> = buildTables();

/** Writes bits LSB-first into a growable byte buffer. */
class BitWriter {
  buffer: Uint8Array;
  length = 0;
  #acc = 0;
  #count = 0;

  constructor(initial: number) {
    this.buffer = new Uint8Array(initial);
  }

  write(value: number, bits: number): void {
    this.#acc |= value << this.#count;
    this.#count += bits;
    while (this.#count >= 8) {
      if (this.length === this.buffer.length) this.#grow();
      this.buffer[this.length++] = this.#acc & 0xff;
      this.#acc >>>= 8;
      this.#count -= 8;
    }
  }

  /** Pads to a byte boundary. */
  align(): void {
    if (this.#count > 0) this.write(0, 8 - this.#count);
  }

  bytes(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.write(values[i], 8);
  }

  #grow(): void {
    const next = new Uint8Array(this.buffer.length * 2);
    next.set(this.buffer);
    this.buffer = next;
  }
}

/**
 * The zlib stream of the PNG scanlines of `mask` written as 8-bit RGB (`channels` 3) or grayscale
 * (`channels` 1) with filter type 0: each row is a 0 filter byte followed by `width` pixels of 0 or 255
 * in every channel.
 */
export function deflateMaskScanlines(
  mask: ArrayLike<number>,
  width: number,
  height: number,
  channels: 1 | 3 = 3,
): Uint8Array {
  const { litLenBits, litLenCodes, matchValue, matchBits, headerValues, headerBits } = TABLES;
  const out = new BitWriter(4096);
  const adler = new AdlerRuns();
  out.write(0x78, 8); // CMF: deflate, 32 KiB window
  out.write(0x01, 8); // FLG: fastest compression, check bits
  for (let i = 0; i < headerValues.length; i++) out.write(headerValues[i], headerBits[i]);

  const emitRun = (byte: number, count: number): void => {
    adler.add(byte, count);
    out.write(litLenCodes[byte], litLenBits[byte]);
    let left = count - 1;
    while (left >= 3) {
      const len = left <= 258 ? left : left - 258 < 3 ? left - 3 : 258;
      out.write(matchValue[len], matchBits[len]);
      left -= len;
    }
    for (; left > 0; left--) out.write(litLenCodes[byte], litLenBits[byte]);
  };

  // Byte masks take the fast run scanners; any other array-like goes pixel by pixel.
  const bytes = mask instanceof Uint8Array ? mask : undefined;
  const words = bytes === undefined ? undefined : wordView(bytes);
  let runByte = 0;
  let runLength = 0;
  for (let y = 0; y < height; y++) {
    const rowStart = y * width;
    // Filter byte 0 extends a zero run from the previous row.
    if (runByte === 0) runLength++;
    else {
      emitRun(runByte, runLength);
      runByte = 0;
      runLength = 1;
    }
    let x = 0;
    while (x < width) {
      const on = mask[rowStart + x] !== 0;
      let end: number;
      if (bytes !== undefined) {
        end =
          (on
            ? nextZero(bytes, rowStart + x, rowStart + width)
            : nextNonZero(bytes, words, rowStart + x, rowStart + width)) - rowStart;
      } else {
        end = x + 1;
        while (end < width && (mask[rowStart + end] !== 0) === on) end++;
      }
      const byte = on ? 0xff : 0;
      const length = channels * (end - x);
      if (byte === runByte) runLength += length;
      else {
        emitRun(runByte, runLength);
        runByte = byte;
        runLength = length;
      }
      x = end;
    }
  }
  if (runLength > 0) emitRun(runByte, runLength);
  out.write(litLenCodes[256], litLenBits[256]); // end of block
  out.align();
  const check = adler.value();
  out.bytes([check >>> 24, (check >>> 16) & 0xff, (check >>> 8) & 0xff, check & 0xff]);
  return out.buffer.subarray(0, out.length);
}
