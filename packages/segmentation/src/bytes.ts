/**
 * A fresh copy of `bytes[start, end)` in its own ArrayBuffer, never a view: Node's Buffer overrides
 * `slice` to share memory, and typed-array views over the copy must be aligned from offset 0.
 */
export function copyRange(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(end - start);
  out.set(bytes.subarray(start, end));
  return out;
}

/** Joins byte arrays; a single part is returned as is. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
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
