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

/** A counting semaphore: `run(fn)` waits for a free slot. */
export class Limiter {
  /** The most `run` calls in flight at once. */
  readonly limit: number;
  #active = 0;
  readonly #queue: (() => void)[] = [];

  /** @throws RangeError when `limit` is not an integer >= 1. */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`concurrency must be an integer >= 1, got ${limit}`);
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
      this.#queue.shift()?.();
    }
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
  const limiter = new Limiter(concurrency);
  const list = [...items];
  return Promise.all(
    list.map((item, index) =>
      limiter.run(async (): Promise<Settled<R>> => {
        if (options.signal?.aborted)
          return { ok: false, error: new APIUserAbortError({ cause: options.signal.reason }) };
        try {
          return { ok: true, value: await fn(item, index) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    ),
  );
}

/** Like {@link mapSettled} but throws the first error (after the in-flight ones finish). */
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
