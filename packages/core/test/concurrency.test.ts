import { describe, expect, it } from 'vitest';
import { APIUserAbortError, Limiter, mapConcurrent, mapSettled } from '../src/index';

describe('bounded concurrency', () => {
  it('never runs more than the limit and keeps input order', async () => {
    let active = 0;
    let peak = 0;
    const results = await mapConcurrent(
      Array.from({ length: 40 }, (_, i) => i),
      4,
      async (n) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, (n * 7) % 5));
        active--;
        return n * 2;
      },
    );
    expect(peak).toBe(4);
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i * 2));
  });

  it('mapSettled reports each failure without stopping the others', async () => {
    const results = await mapSettled([1, 2, 3], 2, async (n) => {
      if (n === 2) throw new Error('two');
      return n;
    });
    expect(results[0]).toEqual({ ok: true, value: 1 });
    expect(results[1]!.ok).toBe(false);
    expect(results[2]).toEqual({ ok: true, value: 3 });
  });

  it('items not started when the signal aborts settle as APIUserAbortError', async () => {
    const controller = new AbortController();
    const results = await mapSettled(
      [1, 2, 3, 4],
      1,
      async (n) => {
        if (n === 2) controller.abort();
        return n;
      },
      { signal: controller.signal },
    );
    expect(results.slice(0, 2).every((r) => r.ok)).toBe(true);
    expect(results.slice(2).every((r) => !r.ok && r.error instanceof APIUserAbortError)).toBe(true);
  });

  it('a Limiter wakes its waiters first come, first served, however long the queue grows', async () => {
    const limiter = new Limiter(3);
    const started: number[] = [];
    let active = 0;
    let peak = 0;
    // Thousands of waiters: the queue is compacted many times while it drains.
    await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        limiter.run(async () => {
          started.push(i);
          active++;
          peak = Math.max(peak, active);
          await new Promise<void>((resolve) => setImmediate(resolve));
          active--;
        }),
      ),
    );
    expect(started).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
  });

  it('mapSettled starts items in order with at most `concurrency` in flight, and tolerates more items than slots', async () => {
    const started: number[] = [];
    let active = 0;
    let peak = 0;
    const results = await mapSettled(
      Array.from({ length: 20_000 }, (_, i) => i),
      7,
      async (n) => {
        started.push(n);
        active++;
        peak = Math.max(peak, active);
        if (n % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        active--;
        if (n === 13) throw new Error('thirteen');
        return n * 2;
      },
    );
    expect(started).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
    expect(peak).toBeLessThanOrEqual(7);
    expect(results[12]).toEqual({ ok: true, value: 24 });
    expect(results[13]).toMatchObject({ ok: false, error: { message: 'thirteen' } });
    expect(results).toHaveLength(20_000);
    expect(await mapSettled([], 4, async () => 1)).toEqual([]);
  });

  it('rejects a bad limit', async () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
    await expect(mapSettled([1], 1.5, async () => 1)).rejects.toThrow(RangeError);
  });
});
