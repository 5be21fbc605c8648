import type { PlannedUnit, UploadPlan, UploadResourcesOptions, UploadResult } from '@datamint/client';
import { openClient, resolveSettings } from '../connect';
import type { CommandContext } from '../context';
import { CliError, ExitCode } from '../errors';
import { ellipsize, plural, renderTable } from '../ui/format';
import { ProgressBars } from '../ui/progress';
import { journalPath, removeJournal } from './upload-journal';
import type { UploadRequest } from './upload-request';
import { kindOf, planTotals, problemReason, type ShowPath, unitLabel } from './upload-summary';

/** The outcome of one row of the result table: a planned unit, or a file the plan could not use. */
export interface RowOutcome {
  /** What the INPUT column shows. */
  label: string;
  kind: 'file' | 'series';
  type: string;
  files: string[];
  ok: boolean;
  /** Resource created (also set when a later step such as publishing failed). */
  id: string | undefined;
  error?: string;
  segmentationIds: string[];
  /** Landed in an earlier run of the same journal (`--resume`). */
  resumed: boolean;
}

/** The root cause's message: wrappers repeat the file name that the table already shows. */
export function innermostMessage(error: Error): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) {
    current = current.cause;
  }
  // The client prefixes each member of a series with its own file; the cause is the same.
  return (current as Error).message.replace(
    /^(Uploading "[^"]*" failed( after creating resource [\w-]+)?: )+/,
    '',
  );
}

function unitOutcome(unit: PlannedUnit, result: UploadResult | undefined, show: ShowPath): RowOutcome {
  const base = {
    label: unitLabel(unit, show),
    kind: unit.kind,
    type: kindOf(unit),
    files: unit.files.map((f) => show(f.source)),
  };
  if (!result) {
    return { ...base, ok: false, id: undefined, error: 'not uploaded', segmentationIds: [], resumed: false };
  }
  if (result.ok) {
    return {
      ...base,
      ok: true,
      id: result.id,
      segmentationIds: result.segmentationIds,
      resumed: result.resumed === true,
    };
  }
  return {
    ...base,
    ok: false,
    id: result.id,
    error: innermostMessage(result.error),
    segmentationIds: [],
    resumed: false,
  };
}

/**
 * One row per planned unit (matched to its results by unit id) and one per file the plan could not
 * use, in the order the inputs expanded to.
 */
export function rowOutcomes(
  plan: UploadPlan,
  results: readonly UploadResult[],
  show: ShowPath = (s) => s,
): RowOutcome[] {
  const byUnit = new Map<string, UploadResult>();
  for (const r of results) if (r.unitId !== undefined && !byUnit.has(r.unitId)) byUnit.set(r.unitId, r);
  const rows: { position: number; row: RowOutcome }[] = plan.units.map((unit) => ({
    position: unit.files[0]!.position,
    row: unitOutcome(unit, byUnit.get(unit.id), show),
  }));
  for (const p of plan.problems) {
    rows.push({
      position: p.position,
      row: {
        label: show(p.source),
        kind: 'file',
        type: 'other',
        files: [show(p.source)],
        ok: false,
        id: undefined,
        error: problemReason(p),
        segmentationIds: [],
        resumed: false,
      },
    });
  }
  return rows.sort((a, b) => a.position - b.position).map((r) => r.row);
}

/** A failure reason for the table: the row's own paths (already in the INPUT column) shortened to names. */
export function conciseReason(reason: string, row: RowOutcome): string {
  let out = reason;
  for (const file of row.files) {
    const name = file.split(/[\\/]/).pop()!;
    out = out.split(file).join(name);
  }
  return out;
}

export function resultRows(outcomes: readonly RowOutcome[], width: number): string[][] {
  return outcomes.map((o) => {
    const detail = o.ok
      ? [
          o.kind === 'series' ? `assembled from ${o.files.length} files` : '',
          o.segmentationIds.length ? plural(o.segmentationIds.length, 'segmentation') : '',
          o.resumed ? 'uploaded by an earlier run' : '',
        ]
          .filter(Boolean)
          .join(', ')
      : ellipsize(conciseReason(o.error ?? 'failed', o), Math.max(80, width * 2));
    return [o.ok ? 'ok' : 'FAILED', o.id ?? '-', ellipsize(o.label, width), detail];
  });
}

/** The client's options for the request (everything but the plan itself and progress). */
export function sendOptions(request: UploadRequest): UploadResourcesOptions {
  return {
    onError: 'skip',
    anonymize: request.anonymize,
    ...(request.anonymize ? { anonymizeProfile: request.anonymizationProfile } : {}),
    ...(request.retainAttributes.length ? { anonymizeRetainCodes: request.retainAttributes } : {}),
    tags: request.tags,
    ...(request.channel ? { channel: request.channel } : {}),
    ...(request.modality ? { modality: request.modality } : {}),
    publish: request.publish,
    ...(request.publishTo ? { publishTo: request.publishTo } : {}),
    transposeSegmentation: request.transposeSegmentation,
    compression: request.compress ? 'jpeg-ls' : 'none',
    concurrency: request.concurrency,
  };
}

/** Runs the plan through `APIHandler.uploadResources` and prints one row per input. */
export async function executeUpload(
  ctx: CommandContext,
  request: UploadRequest,
  plan: UploadPlan,
  show: ShowPath,
): Promise<void> {
  const { term } = ctx;
  const totals = planTotals(plan);
  const bars = new ProgressBars(term, { files: totals.resources, bytes: totals.bytes });
  let failed = 0;
  let uploaded = 0;
  const api = await openClient(ctx, { concurrency: request.concurrency });
  const settings = await resolveSettings(ctx);
  const journal = journalPath(ctx.configFile, request, ctx.streams.cwd, settings.rootUrl);
  // Without --resume the run starts afresh; with it, what an earlier run recorded as landed is kept.
  if (!request.resume) await removeJournal(journal);
  else term.debug(`resuming from ${journal}`);
  // Ctrl-C aborts through the client, which leaves no half-created resource; a second one quits now.
  const controller = new AbortController();
  const onInterrupt = (): void => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    bars.log('Interrupted: stopping the uploads in flight (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  let results: UploadResult[] = [];
  try {
    results =
      plan.units.length === 0 && plan.problems.length === 0
        ? []
        : await api.uploadResources(plan, {
            ...sendOptions(request),
            journal,
            signal: controller.signal,
            onProgress: (p) => {
              if (p.ok) uploaded++;
              else failed++;
              bars.update({ filesDone: p.filesDone, bytesDone: p.bytesDone, failed });
              if (term.verbose) bars.log(`${p.ok ? 'uploaded' : 'failed'}: ${p.source}`);
            },
          });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
    bars.finish();
    await api.close();
  }
  if (controller.signal.aborted) {
    throw new CliError(
      `upload interrupted: ${uploaded} of ${totals.resources} resources were confirmed before it; run the same command with --resume to upload the rest without duplicating what landed`,
      { exitCode: ExitCode.interrupted },
    );
  }

  const ordered = rowOutcomes(plan, results, show);
  if (ordered.every((o) => o.ok)) await removeJournal(journal);
  const failures = ordered.filter((o) => !o.ok);
  for (const f of failures) term.debug(`failed: ${f.label}: ${f.error}`);
  const created = new Set(ordered.flatMap((o) => (o.ok && o.id ? [o.id] : [])));
  const files = totals.files + plan.problems.length;
  if (term.json) {
    term.emitJson({
      ok: failures.length === 0,
      totals: { inputs: ordered.length, files, resources: created.size, failed: failures.length },
      results: ordered.map((o) => ({
        input: o.label,
        kind: o.kind,
        type: o.type,
        files: o.files,
        ok: o.ok,
        ...(o.id ? { id: o.id } : {}),
        segmentationIds: o.segmentationIds,
        ...(o.resumed ? { resumed: true } : {}),
        ...(o.error ? { error: o.error } : {}),
      })),
    });
  } else {
    const width = term.stdoutIsTTY ? Math.max(48, term.columns - 60) : Number.POSITIVE_INFINITY;
    for (const line of renderTable(['STATUS', 'RESOURCE', 'INPUT', 'DETAIL'], resultRows(ordered, width))) {
      term.out(line);
    }
    term.out(
      `${plural(created.size, 'resource')} created from ${plural(files, 'file')}; ${plural(failures.length, 'input')} failed.`,
    );
  }
  if (failures.length) {
    throw new CliError(
      `${failures.length} of ${ordered.length} input(s) failed to upload${term.json ? '' : ' (see the table above)'}`,
    );
  }
}
