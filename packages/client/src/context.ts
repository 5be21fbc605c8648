import { type HttpClient, Paginated, type QueryParams, ResourceNotFoundError } from '@datamint/core';
import { UnexpectedResponseError, ValidationError } from './errors';

/** Options every method accepts. */
export interface CallOptions {
  /** Cancels the call (and, for uploads, every file still in flight). */
  signal?: AbortSignal;
  /** Per-attempt time-out for this call's requests, in ms (default: the handler's). */
  timeout?: number;
}

/** Options of every listing. */
export interface ListOptions extends CallOptions {
  /** Items per request (default: the handler's `pageSize`, 5000 as in Python). */
  pageSize?: number;
  /** Stop after this many items. */
  limit?: number;
}

/** What the area modules need from the handler; resolved once per handler. */
export interface HandlerContext {
  http: HttpClient;
  pageSize: number;
  concurrency: number;
  warn(message: string): void;
}

export function callOpts(options: CallOptions | undefined): { signal?: AbortSignal; timeout?: number } {
  const out: { signal?: AbortSignal; timeout?: number } = {};
  if (options?.signal) out.signal = options.signal;
  if (options?.timeout !== undefined) out.timeout = options.timeout;
  return out;
}

/** Runs `fn`; a not-found answer becomes `ResourceNotFoundError(type, params)`. */
export async function relabelNotFound<T>(
  fn: () => Promise<T>,
  resourceType: string,
  params: Record<string, unknown>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ResourceNotFoundError) throw error.relabel(resourceType, params);
    throw error;
  }
}

/**
 * Options for a creating POST: the server creates once per Idempotency-Key
 * (a fresh key per call, the same on each of its attempts) and replays its answer to a repeat.
 */
export function createOnce(): { idempotencyKey: string } {
  return { idempotencyKey: globalThis.crypto.randomUUID() };
}

/** GET one object; a not-found answer becomes `ResourceNotFoundError(resourceType, params)`. */
export function getOne<T>(
  ctx: HandlerContext,
  path: string,
  notFound: { resourceType: string; params: Record<string, unknown> },
  options: CallOptions | undefined,
): Promise<T> {
  return relabelNotFound(
    () => ctx.http.request<T>({ method: 'GET', path, ...callOpts(options) }),
    notFound.resourceType,
    notFound.params,
  );
}

/**
 * A lazy listing of GET `path` pages (offset/limit added to `query`): the context is resolved on
 * the first page, so creating the listing never performs I/O (like the Python generators).
 */
export function listing<T>(
  context: () => Promise<HandlerContext>,
  options: ListOptions | undefined,
  request: { path: string; query: Query; items: (body: unknown) => T[] },
  defaultPageSize: number,
): Paginated<T> {
  const pageOptions: { pageSize: number; signal?: AbortSignal; limit?: number } = {
    pageSize: options?.pageSize ?? defaultPageSize,
  };
  if (options?.signal) pageOptions.signal = options.signal;
  if (options?.limit !== undefined) pageOptions.limit = options.limit;
  return new Paginated<T>(async ({ offset, limit, signal }) => {
    const ctx = await context();
    const body = await ctx.http.request({
      method: 'GET',
      path: request.path,
      query: { ...request.query, offset, limit },
      ...callOpts({ signal, timeout: options?.timeout }),
    });
    return request.items(body);
  }, pageOptions);
}

/** `YYYY-MM-DD` strings pass through; a Date is sent as its UTC day (Python sends `date.isoformat()`). */
export function formatDay(value: Date | string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ValidationError(field, value, 'a valid Date');
    return value.toISOString().slice(0, 10);
  }
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}([T ][\d:.]+([+-]\d{2}:\d{2}|Z)?)?$/.test(value)) {
    throw new ValidationError(field, value, 'a Date or an ISO date string such as "2024-01-31"');
  }
  return value;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(field, value, 'a non-empty string');
  }
  return value;
}

/**
 * An id as one URL path segment: escaped, so `/`, `?` or `#` in it cannot reach another endpoint,
 * and never `.` or `..`, which URL parsing would resolve against the path (even when escaped).
 */
export function pathSegment(value: unknown, field: string): string {
  const id = requireString(value, field);
  if (id === '.' || id === '..') throw new ValidationError(field, value, 'an id, not "." or ".."');
  return encodeURIComponent(id);
}

export function idList(value: string | readonly string[], field: string): string[] {
  const list = typeof value === 'string' ? [value] : [...value];
  if (!Array.isArray(value) && typeof value !== 'string') {
    throw new ValidationError(field, value, 'an id or an array of ids');
  }
  list.forEach((id, i) => {
    requireString(id, typeof value === 'string' ? field : `${field}[${i}]`);
  });
  return list;
}

export type Query = QueryParams;

/** The `data` array of `{data: [...]}` bodies; anything else is a server contract violation. */
export function dataArray<T>(body: unknown, what: string): T[] {
  if (body && typeof body === 'object' && Array.isArray((body as { data?: unknown }).data)) {
    return (body as { data: T[] }).data;
  }
  throw new UnexpectedResponseError(what, body, 'an object with a "data" array');
}
