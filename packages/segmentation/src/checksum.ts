/** CRC-32 (ISO-HDLC, as used by PNG and gzip), slicing-by-8 tables. Built once, never mutated. */
const CRC_TABLES: Uint32Array = buildCrcTables();

/** Eight 256-entry tables back to back: table t at [t * 256, t * 256 + 256). */
function buildCrcTables(): Uint32Array {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n];
    for (let t = 1; t < 8; t++) {
      c = tables[c & 0xff] ^ (c >>> 8);
      tables[t * 256 + n] = c >>> 0;
    }
  }
  return tables;
}

/** CRC-32 of `bytes[start, end)`, continuing from `crc` (the value a previous call returned). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  const t = CRC_TABLES;
  let c = ~crc;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + bytes[i + 4]] ^
      t[512 + bytes[i + 5]] ^
      t[256 + bytes[i + 6]] ^
      t[bytes[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const ADLER_MOD = 65521;
/** Largest block for which the Adler sums cannot exceed 2^53 before reduction (zlib uses 5552 for 32-bit). */
const ADLER_BLOCK = 5552;

/** Adler-32 of `bytes`. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; ) {
    const end = Math.min(i + ADLER_BLOCK, bytes.length);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  return ((b << 16) | a) >>> 0;
}

/** Incremental Adler-32 over runs of one repeated byte, without materialising the bytes. */
export class AdlerRuns {
  #a = 1;
  #b = 0;

  /** Adds `count` copies of `byte`. */
  add(byte: number, count: number): void {
    const n = count % ADLER_MOD;
    // sum_{t=1..count} (a + t*byte) = count*a + byte*count*(count+1)/2, all mod 65521.
    const even = count % 2 === 0;
    const x = (even ? count / 2 : count) % ADLER_MOD;
    const y = (even ? count + 1 : (count + 1) / 2) % ADLER_MOD;
    const tri = (x * y) % ADLER_MOD;
    this.#b = (this.#b + n * this.#a + ((byte * tri) % ADLER_MOD)) % ADLER_MOD;
    this.#a = (this.#a + ((byte * n) % ADLER_MOD)) % ADLER_MOD;
  }

  value(): number {
    return ((this.#b << 16) | this.#a) >>> 0;
  }
}
