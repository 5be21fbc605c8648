/** Items per listing request when none is configured: 5000, as in the Python SDK. */
export const DEFAULT_PAGE_SIZE = 5000;

/** The page a {@link PageFetcher} is asked for. */
export interface PageRequest {
  /** Items to skip. */
  offset: number;
  /** Items to return at most (the page size). */
  limit: number;
  /** The listing's abort signal, to pass on to the request. */
  signal: AbortSignal | undefined;
}

/** Fetches one page; a page shorter than `limit` ends the listing. Its errors end the iteration. */
export type PageFetcher<T> = (page: PageRequest) => Promise<readonly T[]>;

/** How a {@link Paginated} listing pages. */
export interface PaginatedOptions {
  /** Items per request (default 5000, as in the Python SDK); not a positive integer: `RangeError`. */
  pageSize?: number;
  /** Aborts the request in flight; the iteration then throws `APIUserAbortError`. */
  signal?: AbortSignal;
  /** Stop after this many items in total. */
  limit?: number;
}

/**
 * A lazy offset/limit listing: nothing is requested until iteration starts, and only one page is
 * held at a time. A page shorter than the page size (or empty) ends the listing, as in the Python SDK.
 * A failing page fetch ends the iteration with its error.
 * @example
 * ```ts
 * import { Paginated } from '@datamint/core';
 *
 * const numbers = Array.from({ length: 25 }, (_, i) => i);
 * const listing = new Paginated(async ({ offset, limit }) => numbers.slice(offset, offset + limit), {
 *   pageSize: 10,
 * });
 * for await (const n of listing) console.log(n); // three requests, one page in memory at a time
 * const firstPage = await listing.map((n) => n * 2).pages().next();
 * console.log(firstPage.value?.length); // 10
 * ```
 */
export class Paginated<T> implements AsyncIterable<T> {
  /** Items per request. */
  readonly pageSize: number;
  readonly #fetchPage: PageFetcher<T>;
  readonly #signal: AbortSignal | undefined;
  readonly #limit: number | undefined;

  /** @throws RangeError when `pageSize` is not a positive integer. */
  constructor(fetchPage: PageFetcher<T>, options: PaginatedOptions = {}) {
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(pageSize) || pageSize <= 0) {
      throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
    }
    this.pageSize = pageSize;
    this.#fetchPage = fetchPage;
    this.#signal = options.signal;
    this.#limit = options.limit;
  }

  /** Each page as the server returned it. */
  async *pages(): AsyncGenerator<T[], void, undefined> {
    let offset = 0;
    let remaining = this.#limit ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const items = [...(await this.#fetchPage({ offset, limit: this.pageSize, signal: this.#signal }))];
      const page = items.length > remaining ? items.slice(0, remaining) : items;
      if (page.length > 0) yield page;
      remaining -= page.length;
      if (items.length < this.pageSize) return;
      offset += this.pageSize;
    }
  }

  /** `for await (const item of listing)`: item by item, one page in memory at a time. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page;
  }

  /** Collects everything (memory grows with the listing: prefer `for await` for big ones). */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages()) all.push(...page);
    return all;
  }

  /** The first item, fetching at most one page. */
  async first(): Promise<T | undefined> {
    for await (const item of this) return item;
    return undefined;
  }

  /** A new listing whose items are transformed lazily. */
  map<U>(fn: (item: T) => U): Paginated<U> {
    return new Paginated<U>(async (page) => (await this.#fetchPage(page)).map(fn), {
      pageSize: this.pageSize,
      signal: this.#signal,
      limit: this.#limit,
    });
  }
}
