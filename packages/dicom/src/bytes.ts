/** Joins byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A buffer for output whose every byte the caller writes. Node's `Buffer.allocUnsafeSlow` (found
 * by feature detection, so browsers are unaffected) skips the zero-fill of `new Uint8Array`, which
 * costs a noticeable share of the time for 100 MB outputs; small buffers come from `new Uint8Array`.
 */
export function allocUninitialised(length: number): Uint8Array {
  const B = (globalThis as { Buffer?: { allocUnsafeSlow?: (n: number) => Uint8Array } }).Buffer;
  if (!B?.allocUnsafeSlow || length < 65536) return new Uint8Array(length);
  const b = B.allocUnsafeSlow(length);
  return new Uint8Array(b.buffer, b.byteOffset, length);
}
