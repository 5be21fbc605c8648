import { APIConnectionError } from '@datamint/core';
import type { Anonymizer } from '@datamint/dicom';
import type { HandlerContext } from '../context';
import { UnexpectedResponseError, UploadFileError } from '../errors';
import { loadMask, type UploadSegmentationsOptions, uploadSegmentations } from '../segmentations';
import type { BodyBufferPool } from './body-buffers';
import type { UploadSource } from './inputs';
import { readMetadata } from './metadata';
import { multipartBody } from './multipart-body';
import type { SendSettings } from './options';
import type { PlannedUnit } from './plan-types';
import { defaultResourceParts, type ResourcePartsBuilder } from './resource-parts';
import type { SegmentationTask } from './segmentation-tasks';
import type { UploadResourcesOptions } from './types';
import { unitBody } from './unit-body';

/** Bytes of one unit sent so far; restarts with each attempt (a retry sends everything again). */
export interface SendTracker {
  attempt(): void;
  sent(bytes: number): void;
}

/** How one unit ended. */
export type UnitOutcome =
  | { ok: true; id: string; filename: string; segmentationIds: string[]; retriedUnknownOutcome?: true }
  | { ok: false; error: UploadFileError; id?: string };

/** What every unit of one run shares. */
export interface SendContext {
  ctx: HandlerContext;
  settings: SendSettings;
  options: UploadResourcesOptions;
  inputs: readonly UploadSource[] | undefined;
  anonymizer: Anonymizer | undefined;
  /** The parts of `POST /resources` when the caller speaks another wire than the default (the `Api`). */
  resourceParts?: ResourcePartsBuilder;
  /** How a unit's masks are sent when the caller speaks another wire than the default (the `Api`). */
  uploadSegmentation?: SegmentationUploader;
  /** Body buffers shared by the run's requests. */
  buffers: BodyBufferPool;
}

/** Sends one mask of a created resource; returns the annotation ids. */
export type SegmentationUploader = (
  ctx: HandlerContext,
  resourceId: string,
  task: SegmentationTask,
  options: UploadSegmentationsOptions,
) => Promise<string[]>;

async function createResource(
  run: SendContext,
  unit: PlannedUnit,
  idempotencyKey: string,
  tracker: SendTracker | undefined,
): Promise<{ id: string; filename: string }> {
  const { ctx, options, settings } = run;
  const body = await unitBody(unit, run.inputs, run.anonymizer, run.options.compression);
  const source = unit.files[0]!.source;
  const metadata =
    unit.metadata === undefined ? undefined : await readMetadata(unit.metadata, source, (m) => ctx.warn(m));
  const modality = settings.fields.modality ?? metadata?.modality;
  const build = run.resourceParts ?? defaultResourceParts;
  const parts = build({ unit, body, metadata, modality, fields: settings.fields });
  const multipart = multipartBody(parts);
  const onData = tracker ? (n: number) => tracker.sent(n) : undefined;
  const buffers = run.buffers.lease();
  const answer = await ctx.http.request<{ id?: unknown }>({
    method: 'POST',
    path: 'resources',
    // Rebuilt for every attempt: the file is read again from the start (into a new buffer, or
    // streamed when the body is over 1 MiB).
    body: () => {
      tracker?.attempt();
      return multipart.attempt(onData, buffers);
    },
    headers: {
      'content-type': multipart.contentType,
      'content-length': String(multipart.length),
    },
    // A server that creates once per key makes a repeat after a lost response harmless, and a
    // resumed run sends a unit whose outcome was unknown under the key it had.
    idempotencyKey,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  });
  // Answered with success: the body was sent in full, its buffer can serve the next request.
  buffers.release();
  if (!answer || typeof answer !== 'object' || typeof answer.id !== 'string') {
    throw new UnexpectedResponseError('POST /resources', answer, 'an object with the new resource "id"');
  }
  return { id: answer.id, filename: body.filename };
}

/**
 * Creates the unit's resource. When the answer is lost after the request left (outcome unknown) and
 * the server honours Idempotency-Key, it is sent once more under the same key: the server then
 * answers with the resource it may already have stored instead of creating a second one.
 */
async function createOnce(
  run: SendContext,
  unit: PlannedUnit,
  idempotencyKey: string,
  tracker: SendTracker | undefined,
): Promise<{ id: string; filename: string; retriedUnknownOutcome: boolean }> {
  try {
    return { ...(await createResource(run, unit, idempotencyKey, tracker)), retriedUnknownOutcome: false };
  } catch (error) {
    const unknown = error instanceof APIConnectionError && error.outcomeUnknown;
    if (!unknown || !run.ctx.http.honoursIdempotencyKeys || run.options.signal?.aborted) throw error;
    return { ...(await createResource(run, unit, idempotencyKey, tracker)), retriedUnknownOutcome: true };
  }
}

/**
 * The label values of a resource's unnamed masks together, when it has several (the one-slice masks
 * of a series): each is named over all of them, so that label 2 is not `seg` on a slice holding only
 * it while label 1 is `seg` on another. Each mask is read here and again when it is sent, so only
 * one is in memory at a time.
 */
async function unnamedLabels(
  tasks: readonly SegmentationTask[],
  transpose: boolean,
): Promise<ReadonlySet<number> | undefined> {
  const unnamed = tasks.filter((t) => t.names === undefined);
  if (unnamed.length < 2) return undefined;
  const values = new Set<number>();
  for (const task of unnamed) for (const v of (await loadMask(task.input, transpose)).labels()) values.add(v);
  return values;
}

/** Creates one unit's resource, then attaches its masks. Never throws: the outcome says how it went. */
export async function sendUnit(
  run: SendContext,
  unit: PlannedUnit,
  idempotencyKey: string,
  tracker?: SendTracker,
): Promise<UnitOutcome> {
  const { ctx, options } = run;
  let id: string | undefined;
  const source = unit.files[0]!.source;
  try {
    const created = await createOnce(run, unit, idempotencyKey, tracker);
    id = created.id;
    const segmentationIds: string[] = [];
    const alongside = await unnamedLabels(unit.segmentations, options.transposeSegmentation ?? false);
    for (const task of unit.segmentations) {
      const maskOptions: UploadSegmentationsOptions = {
        ...(task.names !== undefined ? { name: task.names } : {}),
        ...(task.names === undefined && alongside ? { unnamedAlongside: alongside } : {}),
        ...(task.frameIndex !== undefined ? { frameIndex: task.frameIndex } : {}),
        transposeSegmentation: options.transposeSegmentation ?? false,
        // Inside an upload slot, frames go one by one (the slots are the concurrency).
        concurrency: 1,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      };
      const ids = run.uploadSegmentation
        ? await run.uploadSegmentation(ctx, id, task, maskOptions)
        : await uploadSegmentations(ctx, id, task.input, maskOptions, task.memberFrame);
      segmentationIds.push(...ids);
    }
    return {
      ok: true,
      id,
      filename: created.filename,
      segmentationIds,
      ...(created.retriedUnknownOutcome ? { retriedUnknownOutcome: true as const } : {}),
    };
  } catch (error) {
    return { ok: false, error: new UploadFileError(source, error, id), ...(id ? { id } : {}) };
  }
}
