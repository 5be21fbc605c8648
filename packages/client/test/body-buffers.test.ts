import { describe, expect, it } from 'vitest';
import { BodyBufferPool } from '../src/upload/body-buffers';

const KiB = 1024;

/** The ArrayBuffer behind a lease's buffer: reuse means the same one comes back. */
const backing = (b: Uint8Array) => b.buffer;

describe('body buffers reused across one run', () => {
  it('gives a succeeded request its buffer to the next one, sized to the request', () => {
    const pool = new BodyBufferPool(2);
    const first = pool.lease();
    const a = first.take(100 * KiB);
    expect(a.byteLength).toBe(100 * KiB);
    first.release();
    const second = pool.lease();
    const b = second.take(90 * KiB);
    expect(b.byteLength).toBe(90 * KiB);
    expect(backing(b)).toBe(backing(a));
  });

  it.each([
    // [what happened to the first request, is its buffer reused]
    ['released after success', true],
    ['never released (the request failed)', false],
  ] as const)('a buffer %s: reused %s', (what, reused) => {
    const pool = new BodyBufferPool(4);
    const lease = pool.lease();
    const a = lease.take(10 * KiB);
    if (what.startsWith('released')) lease.release();
    const b = pool.lease().take(10 * KiB);
    expect(backing(b) === backing(a)).toBe(reused);
  });

  it('abandons the buffer of an earlier attempt: a retry takes another, only the last comes back', () => {
    const pool = new BodyBufferPool(4);
    const lease = pool.lease();
    const attempt1 = lease.take(10 * KiB);
    const attempt2 = lease.take(10 * KiB);
    expect(backing(attempt2)).not.toBe(backing(attempt1));
    lease.release();
    lease.release(); // twice is harmless
    const next1 = pool.lease().take(10 * KiB);
    const next2 = pool.lease().take(10 * KiB);
    expect(backing(next1)).toBe(backing(attempt2));
    expect(backing(next2)).not.toBe(backing(attempt1));
  });

  it('takes the smallest free buffer that fits, and a new one when none does', () => {
    const pool = new BodyBufferPool(4);
    const leases = [pool.lease(), pool.lease(), pool.lease()];
    const small = leases[0]!.take(10 * KiB);
    const big = leases[1]!.take(700 * KiB);
    const mid = leases[2]!.take(200 * KiB);
    for (const l of leases) l.release();
    expect(backing(pool.lease().take(150 * KiB))).toBe(backing(mid));
    expect(backing(pool.lease().take(5 * KiB))).toBe(backing(small));
    const huge = pool.lease().take(900 * KiB);
    expect([backing(small), backing(mid), backing(big)]).not.toContain(backing(huge));
  });

  it('keeps at most maxFree buffers, the larger ones', () => {
    const pool = new BodyBufferPool(1);
    const [l1, l2] = [pool.lease(), pool.lease()];
    const small = l1.take(10 * KiB);
    const big = l2.take(300 * KiB);
    l1.release();
    l2.release(); // full: the bigger one replaces the smaller
    const got = pool.lease().take(10 * KiB);
    expect(backing(got)).toBe(backing(big));
    expect(backing(pool.lease().take(10 * KiB))).not.toBe(backing(small));
  });
});
