import { readFile } from 'node:fs/promises';
import type { DownloadProgress } from '@datamint/core';
import { DatamintException } from '@datamint/core';
import { checkFrameIndex } from './annotations';
import {
  type CallOptions,
  callOpts,
  type HandlerContext,
  pathSegment,
  relabelNotFound,
  requireString,
} from './context';
import { type Converted, convert, type DecodedImage, decodeImage } from './decode';
import { ValidationError } from './errors';
import { extensionFor } from './file-types';
import { getResourceById } from './resources';

/** E13 as undici options: the file of one resource, as bytes. */
function fileRequest(resourceId: string, options: CallOptions | undefined) {
  return {
    method: 'GET' as const,
    path: `resources/${pathSegment(resourceId, 'resourceId')}/file`,
    headers: { accept: 'application/octet-stream' },
    ...callOpts(options),
  };
}

/** The stored file of a resource, in memory; not-found is `ResourceNotFoundError('resource')`. */
export async function fetchResourceFile(
  ctx: HandlerContext,
  resourceId: string,
  options?: CallOptions,
): Promise<Uint8Array> {
  const response = await relabelNotFound(
    () => ctx.http.requestBytes(fileRequest(resourceId, options)),
    'resource',
    { resource_id: resourceId },
  );
  return response.bytes;
}

export interface DownloadResourceOptions extends CallOptions {
  /** Stream the file to this path (written under a temporary name, then renamed). */
  savePath?: string;
  /** Decode by mimetype (default true): DICOM, PNG, NIfTI, JSON; others come back raw. */
  autoConvert?: boolean;
  /** Append the mimetype's extension to `savePath` unless it already ends with it. */
  addExtension?: boolean;
  /** Called as bytes arrive (with the total when the server sends a length). */
  onProgress?: (progress: DownloadProgress) => void;
}

/** What `downloadResourceFile` returns: the bytes and/or the path written, and what they decoded to. */
export interface DownloadedResource {
  /** The resource id asked for. */
  resourceId: string;
  /** From the resource record; `null` when it has none or was not fetched (`autoConvert` and `addExtension` false). */
  mimetype: string | null;
  /** The file's bytes; `undefined` when it was streamed to `savePath` without converting. */
  bytes: Uint8Array | undefined;
  /** The final path written (with the extension when `addExtension`), or `undefined`. */
  savePath: string | undefined;
  /** The decoded content (`{ kind: 'raw' }` when not converted). */
  converted: Converted;
}

export async function downloadResourceFile(
  ctx: HandlerContext,
  resourceId: string,
  options?: DownloadResourceOptions,
): Promise<DownloadedResource> {
  requireString(resourceId, 'resourceId');
  const autoConvert = options?.autoConvert ?? true;
  const addExtension = options?.addExtension ?? false;
  if (options?.savePath !== undefined && typeof options.savePath !== 'string') {
    throw new ValidationError('savePath', options.savePath, 'a file path');
  }
  const resource = autoConvert || addExtension ? await getResourceById(ctx, resourceId, options) : undefined;
  const mimetype = resource ? (resource.mimetype ?? null) : null;
  let bytes: Uint8Array | undefined;
  let savePath: string | undefined;
  if (options?.savePath !== undefined) {
    savePath = options.savePath;
    const ext = addExtension ? extensionFor(mimetype) : undefined;
    if (ext && !savePath.toLowerCase().endsWith(ext)) savePath += ext;
    const destination = savePath;
    // Written before any conversion, so a decoding failure still leaves the file (Python converts first).
    await relabelNotFound(
      () =>
        ctx.http.download({
          ...fileRequest(resourceId, options),
          destination,
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        }),
      'resource',
      { resource_id: resourceId },
    );
    if (autoConvert) bytes = new Uint8Array(await readFile(destination));
  } else {
    bytes = await fetchResourceFile(ctx, resourceId, options);
  }
  const converted: Converted =
    autoConvert && bytes ? convert(bytes, mimetype, `resource ${resourceId}`) : { kind: 'raw' };
  return { resourceId, mimetype, bytes, savePath, converted };
}

/** What `downloadResourceFrame` returns: one frame's image file and its pixels. */
export interface DownloadedFrame {
  /** The resource id asked for. */
  resourceId: string;
  /** The frame asked for. */
  frameIndex: number;
  /** `image/png` for rendered frames; the file's own type for single images. */
  mimetype: string;
  /** The image file. */
  bytes: Uint8Array;
  /** Decoded pixels; `undefined` for single images we cannot decode (e.g. JPEG). */
  image: DecodedImage | undefined;
}

export async function downloadResourceFrame(
  ctx: HandlerContext,
  resourceId: string,
  frameIndex: number,
  options?: CallOptions,
): Promise<DownloadedFrame> {
  requireString(resourceId, 'resourceId');
  checkFrameIndex(frameIndex, 'frameIndex');
  const resource = await getResourceById(ctx, resourceId, options);
  const mimetype = resource.mimetype ?? '';
  if (mimetype.startsWith('image/') || resource.storage === 'ImageResource') {
    if (frameIndex !== 0) {
      throw new ValidationError('frameIndex', frameIndex, `0: resource ${resourceId} is a single image`);
    }
    const bytes = await fetchResourceFile(ctx, resourceId, options);
    const image = mimetype === 'image/png' ? decodeImage(bytes, `resource ${resourceId}`) : undefined;
    return { resourceId, frameIndex, mimetype, bytes, image };
  }
  const response = await relabelNotFound(
    () =>
      ctx.http.requestBytes({
        method: 'GET',
        path: `resources/${pathSegment(resourceId, 'resourceId')}/frames/${frameIndex}`,
        headers: { accept: 'image/png' },
        ...callOpts(options),
      }),
    'resource',
    { resource_id: resourceId },
  );
  if (response.status !== 200) {
    throw new DatamintException(
      `Downloading frame ${frameIndex} of resource ${resourceId} returned status ${response.status}, expected 200`,
    );
  }
  return {
    resourceId,
    frameIndex,
    mimetype: 'image/png',
    bytes: response.bytes,
    image: decodeImage(response.bytes, `frame ${frameIndex} of resource ${resourceId}`),
  };
}

export interface DownloadProjectOptions extends CallOptions {
  /** Every annotation, not only the project worklist's (default false). */
  allAnnotations?: boolean;
  /** Include resources without annotations (default false). */
  includeUnannotated?: boolean;
  /** Called as bytes arrive (with the total when the server sends a length). */
  onProgress?: (progress: DownloadProgress) => void;
}

/** Streams the project's ZIP export to `outpath`. */
export async function downloadProject(
  ctx: HandlerContext,
  projectId: string,
  outpath: string,
  options?: DownloadProjectOptions,
): Promise<{ path: string; bytes: number }> {
  requireString(projectId, 'projectId');
  requireString(outpath, 'outpath');
  const result = await relabelNotFound(
    () =>
      ctx.http.download({
        method: 'GET',
        path: `projects/${pathSegment(projectId, 'projectId')}/annotated_dataset`,
        query: {
          all_annotations: options?.allAnnotations ?? false,
          include_unannotated: options?.includeUnannotated ? true : undefined,
        },
        destination: outpath,
        ...(options?.onProgress ? { onProgress: options.onProgress } : {}),
        ...callOpts(options),
      }),
    'project',
    { project_id: projectId },
  );
  return { path: outpath, bytes: result.bytes };
}
