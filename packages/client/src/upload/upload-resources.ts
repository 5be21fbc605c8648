import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { APIUserAbortError, DatamintException, mapSettled, multipartFileName } from '@datamint/core';
import type { HandlerContext } from '../context';
import { UnexpectedResponseError, UploadFileError, ValidationError } from '../errors';
import { resolveProject } from '../projects';
import { addToDataset, publishOne } from '../resources';
import { uploadSegmentations } from '../segmentations';
import type { Project } from '../types';
import { planDicomUnits } from './dicom-prep';
import { checkMung, uploadNames } from './filename';
import { expandInput, Spool, type UploadEntry, type UploadSource } from './inputs';
import { resolveMimetype } from './mimetype';
import { type MultipartPart, multipartBody } from './multipart-body';
import type { MetadataSource, UploadResourcesOptions, UploadResult } from './types';
import { plainUnit, type SegmentationTask, segmentationTasks, type UploadUnit } from './units';

/** A prepared file: its entry and names, or why it cannot be uploaded. */
export interface Slot {
  source: string;
  entry?: UploadEntry;
  names?: { sourceFilepath: string; filename: string };
  mimetype?: string;
  segmentations: SegmentationTask[];
  metadata?: MetadataSource;
  error?: DatamintException;
}

type UnitOutcome =
  | { ok: true; id: string; segmentationIds: string[] }
  | { ok: false; error: UploadFileError; id?: string };

function asDatamint(error: unknown): DatamintException {
  return error instanceof DatamintException
    ? error
    : new DatamintException(error instanceof Error ? error.message : String(error), { cause: error });
}

function checkTags(options: UploadResourcesOptions, warn: (m: string) => void): string[] {
  let tags = options.tags;
  if (options.labels !== undefined) {
    warn('uploadResources: the "labels" option is deprecated, use "tags"');
    tags ??= options.labels;
  }
  if (tags === undefined) return [];
  const list = typeof tags === 'string' ? [tags] : [...tags];
  return list.map((tag, i) => {
    if (typeof tag !== 'string' || tag.trim() === '')
      throw new ValidationError(`tags[${i}]`, tag, 'a non-empty string');
    // Tags travel comma-joined in one field: a comma would split the tag (http-api.md §8 #17).
    if (tag.includes(',')) throw new ValidationError(`tags[${i}]`, tag, 'a tag without commas');
    return tag.trim();
  });
}

/** Per-input options are arrays aligned with the inputs. */
function checkAligned(field: string, value: readonly unknown[] | undefined, inputs: number): void {
  if (value !== undefined && (!Array.isArray(value) || value.length !== inputs)) {
    throw new ValidationError(field, value, `an array of ${inputs} entries, one per input (null where none)`);
  }
}

function validate(options: UploadResourcesOptions, inputs: readonly UploadSource[], ctx: HandlerContext) {
  const onError = options.onError ?? 'raise';
  if (onError !== 'raise' && onError !== 'skip') {
    throw new ValidationError('onError', options.onError, '"raise" or "skip"');
  }
  const concurrency = options.concurrency ?? ctx.concurrency;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ValidationError('concurrency', options.concurrency, 'an integer >= 1');
  }
  for (const field of ['channel', 'modality', 'mimetype', 'publishTo'] as const) {
    const v = options[field];
    if (v !== undefined && (typeof v !== 'string' || v === ''))
      throw new ValidationError(field, v, 'a non-empty string');
  }
  checkAligned('metadataFiles', options.metadataFiles, inputs.length);
  checkAligned('segmentationFiles', options.segmentationFiles, inputs.length);
  if (options.metadataFiles !== undefined) {
    options.metadataFiles.forEach((m, i) => {
      if (
        m !== null &&
        m !== undefined &&
        typeof m !== 'string' &&
        (typeof m !== 'object' || Array.isArray(m))
      ) {
        throw new ValidationError(`metadataFiles[${i}]`, m, 'a JSON file path or an object');
      }
    });
  }
  return {
    onError,
    concurrency,
    mung: checkMung(options.mungFilename),
    tags: checkTags(options, (m) => ctx.warn(m)),
    segmentations: (options.segmentationFiles ?? []).map((spec, i) =>
      segmentationTasks(spec, `segmentationFiles[${i}]`),
    ),
  };
}

async function expandAll(
  inputs: readonly UploadSource[],
  segmentations: SegmentationTask[][],
  spool: Spool,
  options: UploadResourcesOptions,
  concurrency: number,
): Promise<Slot[]> {
  const expanded = await mapSettled(inputs, concurrency, (input, i) =>
    expandInput(input, i, {
      spool,
      ...(options.recursive !== undefined ? { recursive: options.recursive } : {}),
    }),
  );
  const slots: Slot[] = [];
  expanded.forEach((result, i) => {
    const input = inputs[i]!;
    const source =
      typeof input === 'string' ? input : (((input as { name?: unknown }).name as string) ?? `files[${i}]`);
    const tasks = segmentations[i] ?? [];
    const metadata = options.metadataFiles?.[i] ?? undefined;
    if (!result.ok) {
      if (result.error instanceof ValidationError) throw result.error;
      slots.push({ source: String(source), segmentations: [], error: asDatamint(result.error) });
      return;
    }
    if (tasks.length > 0 && result.value.length !== 1) {
      throw new ValidationError(
        `segmentationFiles[${i}]`,
        '(masks)',
        `no segmentations for ${JSON.stringify(source)}, which is a directory of ${result.value.length} files`,
      );
    }
    if (metadata !== undefined && result.value.length !== 1) {
      throw new ValidationError(
        `metadataFiles[${i}]`,
        metadata,
        `no metadata for ${JSON.stringify(source)}, which is a directory of ${result.value.length} files`,
      );
    }
    for (const entry of result.value) {
      slots.push({
        source: entry.source,
        entry,
        segmentations: tasks,
        ...(metadata !== undefined ? { metadata } : {}),
      });
    }
  });
  return slots;
}

function resolveSlot(slot: Slot, options: UploadResourcesOptions, mung: 'all' | number[] | undefined): void {
  if (!slot.entry) return;
  try {
    slot.names = uploadNames(slot.entry.name, mung);
    slot.mimetype = resolveMimetype(
      slot.entry.sniffed,
      slot.names.filename,
      options.mimetype ?? slot.entry.mimetype,
    );
  } catch (error) {
    slot.error = asDatamint(error);
  }
}

/**
 * The metadata text to send and the modality it declares. Like Python, a file that is not valid
 * JSON is still sent as it is (with a warning); a file that cannot be read fails the upload.
 */
async function readMetadata(
  source: MetadataSource,
  upload: string,
  ctx: HandlerContext,
): Promise<{ text: string; modality?: string }> {
  let text: string;
  let data: unknown;
  if (typeof source === 'string') {
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      throw new ValidationError(
        'metadataFiles',
        source,
        `a readable JSON file (${(error as Error).message})`,
      );
    }
    try {
      data = JSON.parse(text);
    } catch (error) {
      ctx.warn(
        `metadata file ${source} of ${upload} is not valid JSON (${(error as Error).message}); sent as it is`,
      );
    }
  } else {
    text = JSON.stringify(source);
    data = source;
  }
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    for (const [key, value] of Object.entries(data)) {
      if (key.toLowerCase() === 'modality' && typeof value === 'string' && value !== '')
        return { text, modality: value };
    }
  }
  return { text };
}

/** Bytes of one unit sent so far; restarts with each attempt (a retry sends everything again). */
export interface SendTracker {
  attempt(): void;
  sent(bytes: number): void;
}

async function sendUnit(
  ctx: HandlerContext,
  unit: UploadUnit,
  fields: { channel?: string; modality?: string; tags: string[] },
  options: UploadResourcesOptions,
  tracker?: SendTracker,
): Promise<string> {
  const content = await unit.body();
  const metadata =
    unit.metadata === undefined ? undefined : await readMetadata(unit.metadata, unit.source, ctx);
  const modality = fields.modality ?? metadata?.modality;
  // Part order and layout as the Python SDK sends them (http-api.md §4.8).
  const parts: MultipartPart[] = [
    { name: 'source', value: 'api' },
    {
      name: 'resource',
      filename: multipartFileName(unit.filename),
      contentType: unit.mimetype ?? 'application/octet-stream',
      content,
    },
    { name: 'source_filepath', value: unit.sourceFilepath },
  ];
  if (unit.mimetype) parts.push({ name: 'mimetype', value: unit.mimetype });
  if (fields.channel !== undefined) parts.push({ name: 'channel', value: fields.channel });
  if (modality !== undefined) parts.push({ name: 'modality', value: modality });
  if (fields.tags.length > 0) parts.push({ name: 'tags', value: fields.tags.join(',') });
  if (metadata !== undefined) {
    parts.push({ name: 'metadata', value: metadata.text, contentType: 'application/json' });
  }
  const multipart = multipartBody(parts);
  const onData = tracker ? (n: number) => tracker.sent(n) : undefined;
  const body = await ctx.http.request<{ id?: unknown }>({
    method: 'POST',
    path: 'resources',
    // Rebuilt for every attempt: the file is streamed again from the start.
    body: () => {
      tracker?.attempt();
      return multipart.chunks(onData);
    },
    headers: {
      'content-type': multipart.contentType,
      'content-length': String(multipart.length),
    },
    // A server that creates once per key makes a repeat after a lost response harmless; core
    // repeats only once the server has said it honours keys.
    idempotencyKey: randomUUID(),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
  });
  if (!body || typeof body !== 'object' || typeof body.id !== 'string') {
    throw new UnexpectedResponseError('POST /resources', body, 'an object with the new resource "id"');
  }
  return body.id;
}

async function runUnit(
  ctx: HandlerContext,
  unit: UploadUnit,
  fields: { channel?: string; modality?: string; tags: string[] },
  options: UploadResourcesOptions,
  tracker?: SendTracker,
): Promise<UnitOutcome> {
  let id: string | undefined;
  try {
    id = await sendUnit(ctx, unit, fields, options, tracker);
    const segmentationIds: string[] = [];
    for (const task of unit.segmentations) {
      const ids = await uploadSegmentations(
        ctx,
        id,
        task.input,
        {
          ...(task.names !== undefined ? { name: task.names } : {}),
          ...(task.frameIndex !== undefined ? { frameIndex: task.frameIndex } : {}),
          transposeSegmentation: options.transposeSegmentation ?? false,
          // Inside an upload slot, frames go one by one (the slots are the concurrency).
          concurrency: 1,
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
        },
        task.memberFrame,
      );
      segmentationIds.push(...ids);
    }
    return { ok: true, id, segmentationIds };
  } catch (error) {
    return { ok: false, error: new UploadFileError(unit.source, error, id), ...(id ? { id } : {}) };
  }
}

/**
 * Runs units with at most `concurrency` in flight. After a failure under `onError: 'raise'`, or an
 * abort, no new unit starts; those in flight finish (aborted requests fail fast).
 */
async function runUnits(
  ctx: HandlerContext,
  units: UploadUnit[],
  concurrency: number,
  stopOnError: boolean,
  fields: { channel?: string; modality?: string; tags: string[] },
  options: UploadResourcesOptions,
): Promise<(UnitOutcome | undefined)[]> {
  const outcomes: (UnitOutcome | undefined)[] = new Array(units.length);
  // Input sizes, fixed up front: transformed units change size, the totals must not.
  const sizes = units.map((u) => u.size);
  const bytesTotal = sizes.reduce((sum, n) => sum + n, 0);
  let next = 0;
  let done = 0;
  let bytesDone = 0;
  let stop = false;
  let callbackError: { error: unknown } | undefined;
  // Bytes streamed by the units in flight (each capped at its input size), for onBytes.
  const inFlight = new Map<number, number>();
  let inFlightTotal = 0;
  const reportBytes = () => {
    if (!options.onBytes) return;
    try {
      options.onBytes({ bytesSent: bytesDone + inFlightTotal, bytesTotal });
    } catch (error) {
      callbackError ??= { error };
      stop = true;
    }
  };
  const setInFlight = (index: number, bytes: number) => {
    inFlightTotal += bytes - (inFlight.get(index) ?? 0);
    inFlight.set(index, bytes);
  };
  const trackerFor = (index: number): SendTracker | undefined => {
    if (!options.onBytes) return undefined;
    let sent = 0;
    return {
      attempt: () => {
        sent = 0;
        setInFlight(index, 0);
      },
      sent: (n) => {
        sent += n;
        setInFlight(index, Math.min(sent, sizes[index]!));
        reportBytes();
      },
    };
  };
  const worker = async () => {
    while (!stop && next < units.length) {
      if (options.signal?.aborted) return;
      const index = next++;
      const unit = units[index]!;
      const outcome = await runUnit(ctx, unit, fields, options, trackerFor(index));
      outcomes[index] = outcome;
      setInFlight(index, 0);
      inFlight.delete(index);
      done++;
      bytesDone += sizes[index]!;
      reportBytes();
      if (!outcome.ok && stopOnError) stop = true;
      try {
        options.onProgress?.({
          filesDone: done,
          filesTotal: units.length,
          bytesDone,
          bytesTotal,
          source: unit.source,
          ok: outcome.ok,
        });
      } catch (error) {
        // A throwing callback stops the upload like an error, after the files in flight.
        callbackError ??= { error };
        stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, units.length) }, worker));
  if (callbackError) throw callbackError.error;
  return outcomes;
}

/** Publishes the created resources, then adds them to the project; failures are per resource. */
async function publishAll(
  ctx: HandlerContext,
  ids: string[],
  project: Project | undefined,
  concurrency: number,
  options: UploadResourcesOptions,
): Promise<Map<string, unknown>> {
  const failures = new Map<string, unknown>();
  const call = { ...(options.signal ? { signal: options.signal } : {}) };
  const settled = await mapSettled(ids, concurrency, (id) => publishOne(ctx, id, call), call);
  settled.forEach((s, i) => {
    if (!s.ok) failures.set(ids[i]!, s.error);
  });
  const published = ids.filter((id) => !failures.has(id));
  if (project && published.length > 0) {
    try {
      await addToDataset(ctx, project.dataset_id, published, call);
    } catch (error) {
      for (const id of published) failures.set(id, error);
    }
  }
  return failures;
}

/**
 * The upload pipeline (http-api.md §5.1, without the Python bugs of §8): expand inputs, name and
 * type them, assemble/anonymize DICOM, upload with bounded concurrency and exactly-once keys,
 * attach segmentations, publish. Returns one result per file, in input order.
 */
export async function uploadResources(
  ctx: HandlerContext,
  files: UploadSource | readonly UploadSource[],
  options: UploadResourcesOptions = {},
): Promise<UploadResult[]> {
  const inputs: readonly UploadSource[] = Array.isArray(files) ? files : [files as UploadSource];
  const checked = validate(options, inputs, ctx);
  // Typed like every other abort (throwIfAborted would throw the signal's DOMException).
  if (options.signal?.aborted) throw new APIUserAbortError({ cause: options.signal.reason });
  // Resolved first: an unknown project must not leave uploaded, unpublished files behind.
  const project =
    options.publishTo !== undefined ? await resolveProject(ctx, options.publishTo, options) : undefined;
  const spool = new Spool();
  try {
    const slots = await expandAll(inputs, checked.segmentations, spool, options, checked.concurrency);
    for (const slot of slots) resolveSlot(slot, options, checked.mung);
    const units = await planDicomUnits(slots, options, checked.concurrency);
    const covered = new Set(units.flatMap((u) => u.members));
    slots.forEach((slot, i) => {
      if (slot.entry && !slot.error && !covered.has(i)) {
        units.push(plainUnit(i, slot.entry, slot.names!, slot.mimetype, slot.segmentations, slot.metadata));
      }
    });
    units.sort((a, b) => a.members[0]! - b.members[0]!);
    if (checked.onError === 'raise') {
      const bad = slots.find((s) => s.error);
      if (bad) throw new UploadFileError(bad.source, bad.error);
    }
    const fields = {
      ...(options.channel !== undefined ? { channel: options.channel } : {}),
      ...(options.modality !== undefined ? { modality: options.modality } : {}),
      tags: checked.tags,
    };
    const outcomes = await runUnits(
      ctx,
      units,
      checked.concurrency,
      checked.onError === 'raise',
      fields,
      options,
    );
    if (options.signal?.aborted) throw new APIUserAbortError({ cause: options.signal.reason });
    if (checked.onError === 'raise') {
      const failed = outcomes.find((o) => o && !o.ok);
      if (failed && !failed.ok) throw failed.error;
    }
    if (options.publish || project) {
      const ids = outcomes.flatMap((o) => (o?.ok ? [o.id] : []));
      const failures = await publishAll(ctx, ids, project, checked.concurrency, options);
      if (failures.size > 0) {
        const [firstId, firstError] = failures.entries().next().value as [string, unknown];
        if (checked.onError === 'raise') {
          const unit = units[outcomes.findIndex((o) => o?.ok && o.id === firstId)]!;
          throw new UploadFileError(unit.source, firstError, firstId);
        }
        outcomes.forEach((o, i) => {
          if (o?.ok && failures.has(o.id)) {
            outcomes[i] = {
              ok: false,
              id: o.id,
              error: new UploadFileError(units[i]!.source, failures.get(o.id), o.id),
            };
          }
        });
      }
    }
    return buildResults(slots, units, outcomes);
  } finally {
    await spool.cleanup();
  }
}

function buildResults(
  slots: Slot[],
  units: UploadUnit[],
  outcomes: (UnitOutcome | undefined)[],
): UploadResult[] {
  const bySlot = new Map<number, number>();
  units.forEach((unit, u) => {
    for (const m of unit.members) bySlot.set(m, u);
  });
  return slots.map((slot, i): UploadResult => {
    if (slot.error)
      return { ok: false, source: slot.source, error: new UploadFileError(slot.source, slot.error) };
    const u = bySlot.get(i);
    const outcome = u === undefined ? undefined : outcomes[u];
    const unit = u === undefined ? undefined : units[u];
    if (!outcome || !unit) {
      return {
        ok: false,
        source: slot.source,
        error: new UploadFileError(
          slot.source,
          new DatamintException('not uploaded: the upload stopped before this file'),
        ),
      };
    }
    if (!outcome.ok) {
      const error =
        unit.members.length > 1 ? new UploadFileError(slot.source, outcome.error, outcome.id) : outcome.error;
      return { ok: false, source: slot.source, error, ...(outcome.id ? { id: outcome.id } : {}) };
    }
    return {
      ok: true,
      source: slot.source,
      id: outcome.id,
      filename: unit.filename,
      ...(unit.members.length > 1 ? { assembledFrom: unit.members.length } : {}),
      segmentationIds: outcome.segmentationIds,
    };
  });
}
