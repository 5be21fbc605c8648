import type { FastifyRequest } from 'fastify';
import type { AppContext } from './context';
import { BadRequestError, HttpError, PayloadTooLargeError } from './errors';
import { jsonTextDepth, jsonValueDepth, MAX_JSON_DEPTH } from './json-depth';
import { decodeMultipartFilename } from './multipart-filename';
import type { JsonValue } from './repos/json';

/** A multipart upload whose file part sits complete in the temp area. */
export interface ReceivedUpload {
  tempPath: string;
  size: number;
  /** Decoded multipart file name (may be empty). */
  filename: string;
  /** Content-Type of the file part. */
  partMimetype: string;
  /** Text fields; a JSON-typed part arrives parsed. */
  fields: Map<string, string | JsonValue>;
}

export interface UploadLimits {
  fileField: string;
  maxFileBytes: number;
}

const MAX_FIELD_BYTES = 16 * 1024 * 1024;

interface PluginError {
  code?: string;
  statusCode?: number;
  message?: string;
}

function isPluginError(err: unknown): err is PluginError {
  return typeof err === 'object' && err !== null;
}

/** Turns multipart/parser failures into client errors; file-system errors stay server errors. */
function mapUploadError(err: unknown, limits: UploadLimits): unknown {
  if (err instanceof HttpError || !isPluginError(err)) return err;
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new PayloadTooLargeError(
        `file part '${limits.fileField}' exceeds the upload limit of ${limits.maxFileBytes} bytes`,
      );
    case 'FST_FILES_LIMIT':
      return new BadRequestError(`only one file part ('${limits.fileField}') is accepted`);
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new PayloadTooLargeError(`too many multipart parts (${err.message ?? 'limit reached'})`);
    case 'FST_MP_PREMATURE_CLOSE':
      return new BadRequestError('the request was closed before the multipart body was complete');
    case 'FST_PROTO_VIOLATION':
      return new BadRequestError('a multipart field name is not allowed (prototype property)');
    default:
      break;
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    return new HttpError(err.statusCode, 'Bad Request', err.message ?? 'invalid multipart body');
  }
  // Node system errors (ENOSPC, EACCES...) carry an errno-style code: a server problem, not the client's.
  if (typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) return err;
  return new BadRequestError(`malformed multipart body: ${err.message ?? String(err)}`);
}

/** A text field holding JSON (or a JSON-typed part) must nest no deeper than the stored-JSON limit. */
function rejectTooDeep(field: string, value: unknown): void {
  const depth =
    typeof value === 'string' ? (/^\s*[[{]/.test(value) ? jsonTextDepth(value) : 0) : jsonValueDepth(value);
  if (depth > MAX_JSON_DEPTH) {
    throw new BadRequestError(`multipart field '${field}' nests deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

/**
 * Reads a multipart body with exactly one file part, streaming the file to a temp file. On any
 * failure (client abort, limit, malformed body) the temp file is removed before the error propagates.
 */
export async function receiveUpload(
  req: FastifyRequest,
  ctx: AppContext,
  limits: UploadLimits,
): Promise<ReceivedUpload> {
  if (!req.isMultipart()) {
    throw new BadRequestError(
      `expected a multipart/form-data body with a '${limits.fileField}' file part, got Content-Type '${req.headers['content-type'] ?? '(none)'}'`,
    );
  }
  const fields = new Map<string, string | JsonValue>();
  let received: ReceivedUpload | undefined;
  let tempPath: string | undefined;
  try {
    try {
      const parts = req.parts({
        limits: {
          fileSize: limits.maxFileBytes,
          files: 1,
          fields: 32,
          parts: 40,
          fieldSize: MAX_FIELD_BYTES,
        },
      });
      for await (const part of parts) {
        if (part.type === 'file') {
          if (part.fieldname !== limits.fileField) {
            part.file.resume();
            throw new BadRequestError(
              `unexpected file part '${part.fieldname}'; expected one file part named '${limits.fileField}'`,
            );
          }
          tempPath = ctx.store.newTempPath();
          const size = await ctx.store.writeTemp(part.file, tempPath);
          if (part.file.truncated) {
            throw new PayloadTooLargeError(
              `file part '${limits.fileField}' exceeds the upload limit of ${limits.maxFileBytes} bytes`,
            );
          }
          received = {
            tempPath,
            size,
            filename: decodeMultipartFilename(part.filename),
            partMimetype: part.mimetype,
            fields,
          };
        } else {
          if (fields.has(part.fieldname)) {
            throw new BadRequestError(`multipart field '${part.fieldname}' was sent more than once`);
          }
          if (part.valueTruncated) {
            throw new PayloadTooLargeError(
              `multipart field '${part.fieldname}' exceeds ${MAX_FIELD_BYTES} bytes`,
            );
          }
          rejectTooDeep(part.fieldname, part.value);
          fields.set(part.fieldname, part.value as string | JsonValue);
        }
      }
    } catch (err) {
      // A JSON-typed text part that does not parse (the Python SDK sends metadata files verbatim, even
      // broken ones) is reported by the plugin only after the whole body was read: keep the upload and
      // drop that field.
      const jsonFieldOnly =
        isPluginError(err) &&
        err.code === 'FST_INVALID_JSON_FIELD_ERROR' &&
        received &&
        req.raw.readableEnded;
      if (!jsonFieldOnly) throw mapUploadError(err, limits);
    }
    if (!received) {
      throw new BadRequestError(`missing file part '${limits.fileField}' in the multipart body`);
    }
    return received;
  } catch (err) {
    if (tempPath) await ctx.store.discardTemp(tempPath);
    throw err;
  }
}

/** A text field as a trimmed string; JSON-typed values are re-serialised. Empty -> undefined. */
export function textField(fields: Map<string, string | JsonValue>, name: string): string | undefined {
  const value = fields.get(name);
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed;
}
