import { APIUserAbortError } from './errors';

/** One item's outcome in {@link mapSettled}: its value, or what it threw. */
export type Settled<R> =
  | {
      /** The item's function resolved. */
      ok: true;
      /** What it resolved to. */
      value: R;
    }
  | {
      /** The item's function threw (or the signal aborted before it started). */
      ok: false;
      /** What it threw: usually a `DatamintException`. */
      error: unknown;
    };

function checkConcurrency(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError(`concurrency must be an integer >= 1, got ${limit}`);
}

/** A counting semaphore: `run(fn)` waits for a free slot. */
export class Limiter {
  /** The most `run` calls in flight at once. */
  readonly limit: number;
  #active = 0;
  // Waiters are taken from `#head` on: `Array.shift` moves every element, which made a queue of
  // 100,000 waiters cost seconds. Taken slots are dropped once they are half the array.
  #queue: ((() => void) | undefined)[] = [];
  #head = 0;

  /** @throws RangeError when `limit` is not an integer >= 1. */
  constructor(limit: number) {
    checkConcurrency(limit);
    this.limit = limit;
  }

  /** How many `run` calls are in flight now. */
  get active(): number {
    return this.#active;
  }

  /** Runs `fn` once a slot is free and returns (or throws) what it does; the slot is freed either way. */
  async run<R>(fn: () => Promise<R>): Promise<R> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#active++;
    try {
      return await fn();
    } finally {
      this.#active--;
      this.#wakeNext();
    }
  }

  #wakeNext(): void {
    if (this.#head >= this.#queue.length) return;
    const next = this.#queue[this.#head];
    this.#queue[this.#head++] = undefined;
    if (this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    next?.();
  }
}

/**
 * Runs `fn` over `items` with at most `concurrency` in flight and returns one settled result per
 * item, in input order: one failure never stops the others. Items not yet started when `signal`
 * aborts settle with `APIUserAbortError`.
 */
export async function mapSettled<T, R>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  options: { signal?: AbortSignal } = {},
): Promise<Settled<R>[]> {
  checkConcurrency(concurrency);
  const list = [...items];
  const results = new Array<Settled<R>>(list.length);
  // A few workers take the items in order, rather than a promise per item queued for a slot: the
  // cost stays proportional to the items however many there are.
  let next = 0;
  const work = async (): Promise<void> => {
    while (next < list.length) {
      const index = next++;
      if (options.signal?.aborted) {
        results[index] = { ok: false, error: new APIUserAbortError({ cause: options.signal.reason }) };
        continue;
      }
      try {
        results[index] = { ok: true, value: await fn(list[index]!, index) };
      } catch (error) {
        results[index] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, work));
  return results;
}

/** Like {@link mapSettled} but, once every item has run, throws the first error (in input order). */
export async function mapConcurrent<T, R>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  options: { signal?: AbortSignal } = {},
): Promise<R[]> {
  const settled = await mapSettled(items, concurrency, fn, options);
  const failed = settled.find((s) => !s.ok);
  if (failed && !failed.ok) throw failed.error;
  return settled.map((s) => (s as { ok: true; value: R }).value);
}
