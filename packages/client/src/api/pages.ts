import { Paginated } from '@datamint/core';
import { callOpts, type HandlerContext, type ListOptions, type Query, relabelNotFound } from '../context';
import { UnexpectedResponseError } from '../errors';

/**
 * The items of one listing page, in every shape the platform answers: a bare array; an object
 * with `data` (else `items`); and, when that object also has a top-level `totalCount`, a
 * one-element list wrapping `{<field>: [...]}` (how `GET /resources` nests its page).
 */
export function pageItems(body: unknown, field: string, what: string): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    const object = body as Record<string, unknown>;
    const list = Array.isArray(object.data)
      ? object.data
      : Array.isArray(object.items)
        ? object.items
        : undefined;
    if (list) {
      const [first] = list;
      if (
        'totalCount' in object &&
        list.length === 1 &&
        first &&
        typeof first === 'object' &&
        Array.isArray((first as Record<string, unknown>)[field])
      ) {
        return (first as Record<string, unknown[]>)[field] as unknown[];
      }
      return list;
    }
  }
  throw new UnexpectedResponseError(what, body, `an array, or an object with a "data" array`);
}

/**
 * The current platform reads booleans in queries as `true`/`false` (the older API, and so
 * `APIHandler`, spells them the Python way).
 */
export function platformQuery(query: Query | undefined): Query {
  const out: Query = {};
  for (const [key, value] of Object.entries(query ?? {})) {
    out[key] = typeof value === 'boolean' ? String(value) : value;
  }
  return out;
}

/** A listing request: GET with offset/limit in the query, or POST with them in the JSON body. */
export interface ListRequest<T> {
  method: 'GET' | 'POST';
  path: string;
  query?: Query;
  json?: Record<string, unknown>;
  /** Name of the nested list (`resources`, `annotations`, ...). */
  field: string;
  build: (item: unknown) => T;
  /** What a not-found answer names (the listed entity), instead of the unlabelled default. */
  notFound?: { resourceType: string; params: Record<string, unknown> };
}

/**
 * A lazy listing: nothing is requested until it is iterated, one page is held at a time, and
 * `toArray()` collects it. The context is resolved on the first page, so building the listing
 * never performs I/O.
 */
export function paged<T>(
  context: () => Promise<HandlerContext>,
  options: ListOptions | undefined,
  request: ListRequest<T>,
): Paginated<T> {
  const what = `${request.method} /${request.path}`;
  const pageOptions: { pageSize?: number; signal?: AbortSignal; limit?: number } = {};
  if (options?.pageSize !== undefined) pageOptions.pageSize = options.pageSize;
  if (options?.signal) pageOptions.signal = options.signal;
  if (options?.limit !== undefined) pageOptions.limit = options.limit;
  return new Paginated<T>(async ({ offset, limit, signal }) => {
    const ctx = await context();
    const call = callOpts({ signal, timeout: options?.timeout });
    const fetchPage = () =>
      request.method === 'GET'
        ? ctx.http.request({
            method: 'GET',
            path: request.path,
            query: { ...platformQuery(request.query), offset, limit },
            ...call,
          })
        : // The search route reads its page window from the body, as strings (the platform's format).
          ctx.http.request({
            method: 'POST',
            path: request.path,
            json: { ...request.json, offset: String(offset), limit: String(limit) },
            retrySafe: true,
            ...call,
          });
    const body = request.notFound
      ? await relabelNotFound(fetchPage, request.notFound.resourceType, request.notFound.params)
      : await fetchPage();
    return pageItems(body, request.field, what).map(request.build);
  }, pageOptions);
}
