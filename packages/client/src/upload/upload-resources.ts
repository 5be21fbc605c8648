import type { HandlerContext } from '../context';
import { UploadFileError } from '../errors';
import { resolveProject } from '../projects';
import type { Project } from '../types';
import { BodyBufferPool } from './body-buffers';
import { removeSpool, type UploadSource } from './inputs';
import { UploadJournal } from './journal';
import { type SendSettings, sendSettings } from './options';
import { throwIfAborted } from './pacer';
import { planUpload } from './plan';
import type { UploadPlan } from './plan-types';
import { publishAll } from './publish';
import type { ResourcePartsBuilder } from './resource-parts';
import { buildResults, type FinalOutcome, problemError, skippedWarnings } from './results';
import { runScheduled, type ScheduledJob } from './scheduler';
import { type SegmentationUploader, type SendContext, sendUnit, type UnitOutcome } from './send';
import type { UploadResourcesOptions, UploadResult } from './types';
import { anonymizerFor } from './unit-body';

/**
 * How the `Api` upload (the platform's current client) differs from `APIHandler`'s: its own part
 * layout, resources created published instead of published one by one, and a project given by
 * name or id that receives the uploaded resources in one request at the end.
 */
export interface PlatformUpload {
  /** The parts of each `POST /resources`. */
  resourceParts: ResourcePartsBuilder;
  /** How each mask is sent once its resource exists. */
  uploadSegmentation: SegmentationUploader;
  /** Finds `publishTo` before anything is sent. */
  resolveProject(nameOrId: string): Promise<{ id: string }>;
  /** Adds the uploaded resources to the project (called even when none landed). */
  addToProject(projectId: string, resourceIds: string[]): Promise<void>;
}

/** True for what `planUpload` returns (as opposed to inputs). */
export function isUploadPlan(value: unknown): value is UploadPlan {
  return (
    !!value &&
    typeof value === 'object' &&
    (value as UploadPlan).version === 1 &&
    Array.isArray((value as UploadPlan).units) &&
    Array.isArray((value as UploadPlan).problems)
  );
}

/** Sends the units a journal does not already know as done; returns every unit's outcome by id. */
async function sendAll(
  run: SendContext,
  plan: UploadPlan,
  journal: UploadJournal | undefined,
): Promise<Map<string, FinalOutcome>> {
  const outcomes = new Map<string, FinalOutcome>();
  const jobs: ScheduledJob<UnitOutcome>[] = [];
  for (const unit of plan.units) {
    const done = journal?.get(unit.id)?.done;
    if (done) {
      outcomes.set(unit.id, { ok: true, ...done, resumed: true });
      continue;
    }
    jobs.push({
      size: unit.size,
      source: unit.files[0]!.source,
      unitId: unit.id,
      run: async (sent, restart) => {
        const key = journal ? journal.keyFor(unit.id) : globalThis.crypto.randomUUID();
        const tracker = run.options.onBytes ? { attempt: restart, sent } : undefined;
        const outcome = await sendUnit(run, unit, key, tracker);
        if (outcome.ok) {
          journal?.done(unit.id, {
            id: outcome.id,
            filename: outcome.filename,
            segmentationIds: outcome.segmentationIds,
          });
        }
        return outcome;
      },
    });
  }
  const results = await runScheduled(jobs, {
    concurrency: run.settings.concurrency,
    stopOnError: run.settings.onError === 'raise',
    signal: run.options.signal,
    onProgress: run.options.onProgress,
    onBytes: run.options.onBytes,
  });
  results.forEach((outcome, i) => {
    if (outcome) outcomes.set(jobs[i]!.unitId, outcome);
  });
  return outcomes;
}

/**
 * Publishes what landed (and was not published by an earlier run). Returns the units whose
 * publishing failed, by id, with their failed outcomes: the caller merges them over the send's.
 */
async function publishLanded(
  run: SendContext,
  plan: UploadPlan,
  outcomes: ReadonlyMap<string, FinalOutcome>,
  project: Project | undefined,
  journal: UploadJournal | undefined,
): Promise<Map<string, FinalOutcome>> {
  const failed = new Map<string, FinalOutcome>();
  const units = plan.units.filter((u) => {
    const o = outcomes.get(u.id);
    return o?.ok && !journal?.get(u.id)?.published;
  });
  const idOf = (unitId: string) => (outcomes.get(unitId) as Extract<FinalOutcome, { ok: true }>).id;
  const failures = await publishAll(
    run.ctx,
    units.map((u) => idOf(u.id)),
    project,
    run.settings.concurrency,
    run.options.signal,
  );
  for (const unit of units) {
    const id = idOf(unit.id);
    const failure = failures.get(id);
    if (failure === undefined && !failures.has(id)) {
      journal?.published(unit.id);
      continue;
    }
    const error = new UploadFileError(unit.files[0]!.source, failure, id);
    if (run.settings.onError === 'raise') throw error;
    failed.set(unit.id, { ok: false, id, error });
  }
  return failed;
}

/**
 * Adds what landed to the project in one request. Returns the units a failure failed (all those
 * sent in the request), by id, with their failed outcomes: the caller merges them over the send's.
 */
async function addLanded(
  run: SendContext,
  plan: UploadPlan,
  outcomes: ReadonlyMap<string, FinalOutcome>,
  platform: PlatformUpload,
  projectId: string,
  journal: UploadJournal | undefined,
): Promise<Map<string, FinalOutcome>> {
  const units = plan.units.filter((u) => outcomes.get(u.id)?.ok && !journal?.get(u.id)?.published);
  const ids = units.map((u) => (outcomes.get(u.id) as Extract<FinalOutcome, { ok: true }>).id);
  try {
    await platform.addToProject(projectId, ids);
  } catch (error) {
    if (run.settings.onError === 'raise') throw error;
    return new Map(
      units.map((unit, i): [string, FinalOutcome] => [
        unit.id,
        { ok: false, id: ids[i]!, error: new UploadFileError(unit.files[0]!.source, error, ids[i]) },
      ]),
    );
  }
  for (const unit of units) journal?.published(unit.id);
  return new Map();
}

async function runPlan(
  ctx: HandlerContext,
  plan: UploadPlan,
  settings: SendSettings,
  project: Project | { id: string } | undefined,
  options: UploadResourcesOptions,
  inputs: readonly UploadSource[] | undefined,
  platform: PlatformUpload | undefined,
): Promise<UploadResult[]> {
  const firstProblem = plan.problems[0];
  if (settings.onError === 'raise' && firstProblem) {
    throw new UploadFileError(firstProblem.source, problemError(firstProblem));
  }
  const journal = options.journal ? await UploadJournal.open(options.journal) : undefined;
  const run: SendContext = {
    ctx,
    settings,
    options,
    inputs,
    // A resumed run re-sends what may have landed under the same key: it must be the same bytes.
    anonymizer: anonymizerFor(plan, options, journal && (() => journal.anonymizerKey())),
    ...(platform
      ? { resourceParts: platform.resourceParts, uploadSegmentation: platform.uploadSegmentation }
      : {}),
    buffers: new BodyBufferPool(settings.concurrency),
  };
  const outcomes = await sendAll(run, plan, journal);
  throwIfAborted(options.signal);
  if (settings.onError === 'raise') {
    for (const outcome of outcomes.values()) if (!outcome.ok) throw outcome.error;
  }
  let failed = new Map<string, FinalOutcome>();
  if (platform) {
    // Created published (bypass_inbox); only the project link is left.
    if (project) failed = await addLanded(run, plan, outcomes, platform, project.id, journal);
  } else if (options.publish || project) {
    failed = await publishLanded(run, plan, outcomes, project as Project | undefined, journal);
  }
  // A unit that landed but could not be published or linked fails in place of its send's outcome.
  return buildResults(plan, new Map([...outcomes, ...failed]));
}

/**
 * The upload pipeline: plan (unless given a plan), then send with bounded concurrency and
 * exactly-once keys, attach segmentations, publish. Returns one result per file, in input order.
 */
export async function uploadResources(
  ctx: HandlerContext,
  files: UploadPlan | UploadSource | readonly UploadSource[],
  options: UploadResourcesOptions = {},
  platform?: PlatformUpload,
): Promise<UploadResult[]> {
  const settings = sendSettings(options, ctx.concurrency, (m) => ctx.warn(m));
  throwIfAborted(options.signal);
  const given = isUploadPlan(files);
  const inputs: readonly UploadSource[] | undefined = given
    ? options.sources
    : Array.isArray(files)
      ? files
      : [files as UploadSource];
  // Resolved first: an unknown project must not leave uploaded, unpublished files behind.
  const project =
    options.publishTo === undefined
      ? undefined
      : platform
        ? await platform.resolveProject(options.publishTo)
        : await resolveProject(ctx, options.publishTo, options);
  const plan = given ? files : await planUpload(inputs!, { ...options, concurrency: settings.concurrency });
  // The platform upload gives these files results of their own; this one returns only what it sent.
  // A caller who planned first has them in `plan.skipped` already.
  if (!platform && !given) for (const warning of skippedWarnings(plan.skipped)) ctx.warn(warning);
  try {
    return await runPlan(ctx, plan, settings, project, options, inputs, platform);
  } finally {
    await removeSpool(plan.spoolDir);
  }
}
