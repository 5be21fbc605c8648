import type { DownloadProgress } from '@datamint/core';
import {
  type CallOptions,
  callOpts,
  formatDay,
  type HandlerContext,
  type Query,
  relabelNotFound,
  requireString,
} from '../context';
import { ValidationError } from '../errors';
import { platformQuery } from './pages';

/** What a 404 of a request means: the entity type and what identified it. */
export interface NotFoundLabel {
  /** E.g. `project`. */
  resourceType: string;
  /** E.g. `{ id }`. */
  params: Record<string, unknown>;
}

/** A request whose answer is returned as the server sent it (statistics, statuses, members...). */
export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Query;
  json?: unknown;
  /** Set for requests that change nothing when repeated (PUT/DELETE/status changes). */
  retrySafe?: boolean;
}

/** Sends `request` and returns the parsed answer; a 404 becomes `ResourceNotFoundError(notFound)`. */
export async function rawCall<T = unknown>(
  context: () => Promise<HandlerContext>,
  request: RawRequest,
  notFound: NotFoundLabel,
  options?: CallOptions,
): Promise<T> {
  const ctx = await context();
  return relabelNotFound(
    () =>
      ctx.http.request<T>({
        method: request.method,
        path: request.path,
        query: platformQuery(request.query),
        ...(request.json === undefined ? {} : { json: request.json }),
        ...(request.retrySafe ? { retrySafe: true } : {}),
        ...callOpts(options),
      }),
    notFound.resourceType,
    notFound.params,
  );
}

/** Options of the downloads that stream an answer to a file. */
export interface StreamToFileOptions extends CallOptions {
  /** Called as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** What a streamed download wrote. */
export interface FileWritten {
  /** The file written. */
  path: string;
  /** Its size in bytes. */
  bytes: number;
}

/**
 * Streams a GET answer to `destination` (through a temporary file renamed at the end). The status
 * is checked before anything is written, so an error answer never becomes the file's content.
 */
export async function streamToFile(
  context: () => Promise<HandlerContext>,
  request: { path: string; query?: Query },
  destination: string,
  notFound: NotFoundLabel,
  options: StreamToFileOptions = {},
): Promise<FileWritten> {
  const ctx = await context();
  const result = await relabelNotFound(
    () =>
      ctx.http.download({
        method: 'GET',
        path: request.path,
        query: platformQuery(request.query),
        destination,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...callOpts(options),
      }),
    notFound.resourceType,
    notFound.params,
  );
  return { path: destination, bytes: result.bytes };
}

/** An optional list of non-empty strings (e-mails, identifiers, statuses) for a repeated query key. */
export function stringList(value: readonly string[] | undefined, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new ValidationError(field, value, 'an array of strings');
  value.forEach((v, i) => {
    requireString(v, `${field}[${i}]`);
  });
  return [...value];
}

/** Filters of the annotation exports of projects and worklists. */
export interface AnnotationExportFilter {
  /** Only these annotators' annotations (e-mails). */
  annotators?: readonly string[];
  /** Only these annotation identifiers. */
  annotations?: readonly string[];
  /** From this day (`YYYY-MM-DD` or a Date, UTC day). */
  fromDate?: Date | string;
  /** Up to this day, inclusive. */
  toDate?: Date | string;
}

/**
 * Streams an annotation export (`GET <path>?format=…&from&to&annotators[]…&annotations[]…`) to
 * `outputPath`, after checking the format is one of `formats`.
 */
export function streamAnnotationExport(
  context: () => Promise<HandlerContext>,
  path: string,
  outputPath: string,
  request: { format: string; formats: readonly string[]; notFound: NotFoundLabel },
  options: AnnotationExportFilter & StreamToFileOptions,
): Promise<FileWritten> {
  requireString(outputPath, 'outputPath');
  if (!request.formats.includes(request.format))
    throw new ValidationError('format', request.format, request.formats.join(' or '));
  return streamToFile(
    context,
    {
      path,
      query: {
        format: request.format,
        from: formatDay(options.fromDate, 'fromDate'),
        to: formatDay(options.toDate, 'toDate'),
        'annotators[]': stringList(options.annotators, 'annotators'),
        'annotations[]': stringList(options.annotations, 'annotations'),
      },
    },
    outputPath,
    request.notFound,
    options,
  );
}
