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

  it('rejects a bad limit', () => {
    expect(() => new Limiter(0)).toThrow(RangeError);
  });
});
