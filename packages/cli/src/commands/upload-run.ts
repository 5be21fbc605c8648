import {
  APIConnectionError,
  APIError,
  type PlannedUnit,
  type SkippedFile,
  type UploadPlan,
  type UploadResourcesOptions,
  type UploadResult,
} from '@datamint/client';
import { openClient } from '../connect';
import type { CommandContext } from '../context';
import { CliError, ExitCode } from '../errors';
import { plural } from '../ui/format';
import { ProgressBars } from '../ui/progress';
import { renderStatusTable, type StatusRow } from '../ui/status-table';
import { wrapClauses } from '../ui/width';
import { removeJournal } from './upload-journal';
import type { UploadRequest } from './upload-request';
import { kindOf, planTotals, problemReason, type ShowPath, skippedJson, unitLabel } from './upload-summary';

/** The outcome of one row of the result table: a planned unit, or a file the plan could not use. */
export interface RowOutcome {
  /** What the INPUT column shows. */
  label: string;
  kind: PlannedUnit['kind'];
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

/** Resources in a row that could not reach the server before the run stops. */
const LOST_AFTER = 2;

/** An error and the causes it wraps, outermost first (a few levels: wrappers never nest deeper). */
function* causeChain(error: Error): Generator<Error> {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    yield current;
    current = current.cause;
  }
}

/** Whether a failure was the server out of reach (after the client's retries), whatever wraps it. */
function isConnectionLoss(error: Error | undefined): boolean {
  return error !== undefined && [...causeChain(error)].some((e) => e instanceof APIConnectionError);
}

/**
 * The root cause's message: wrappers repeat the file name that the table already shows. An answer
 * of the server is its status and message (the request's URL would fill the column).
 */
export function innermostMessage(error: Error): string {
  const innermost = [...causeChain(error)].at(-1)!;
  if (innermost instanceof APIError && innermost.serverMessage) {
    return `${innermost.status}: ${innermost.serverMessage}`;
  }
  // The client prefixes each member of a series with its own file; the cause is the same.
  return innermost.message.replace(/^(Uploading "[^"]*" failed( after creating resource [\w-]+)?: )+/, '');
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
    // A failure after the resource was created (a refused mask) leaves that resource on the server.
    error: `${result.id ? 'created, then ' : ''}${innermostMessage(result.error)}`,
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

/** The cells of one row of the result table: STATUS, RESOURCE, INPUT, DETAIL. */
export function resultRow(o: RowOutcome): string[] {
  const detail = o.ok
    ? [
        o.kind === 'series' ? `assembled from ${o.files.length} files` : '',
        o.kind === 'nifti-pair' ? 'one .nii from the .hdr/.img pair' : '',
        o.segmentationIds.length ? plural(o.segmentationIds.length, 'segmentation') : '',
        o.resumed ? 'uploaded by an earlier run' : '',
      ]
        .filter(Boolean)
        .join(', ')
    : conciseReason(o.error ?? 'failed', o);
  return [o.ok ? 'ok' : 'FAILED', o.id ?? '-', o.label, detail];
}

/** The table's rows: every failure, and with `verbose` every input and every skipped file too. */
export function resultRows(
  outcomes: readonly RowOutcome[],
  skipped: readonly SkippedFile[],
  verbose: boolean,
  show: ShowPath = (s) => s,
): string[][] {
  const rows = outcomes.filter((o) => verbose || !o.ok).map(resultRow);
  if (verbose) for (const s of skipped) rows.push(['skipped', '-', show(s.source), s.reason]);
  return rows;
}

/** Counts per outcome, in the order they are read: `212 uploaded, 3 failed`. */
export interface OutcomeCounts {
  inputs: number;
  uploaded: number;
  resumed: number;
  failed: number;
  /** Files left out of the plan, per reason. */
  skipped: [string, number][];
}

export function outcomeCounts(
  outcomes: readonly RowOutcome[],
  skipped: readonly SkippedFile[],
): OutcomeCounts {
  const reasons = new Map<string, number>();
  for (const s of skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  return {
    inputs: outcomes.length,
    uploaded: outcomes.filter((o) => o.ok && !o.resumed).length,
    resumed: outcomes.filter((o) => o.ok && o.resumed).length,
    failed: outcomes.filter((o) => !o.ok).length,
    skipped: [...reasons].sort((x, y) => y[1] - x[1]),
  };
}

/** The summary line: `216 inputs: 212 uploaded, 4 failed; 6 skipped (4 dicom report, 2 system file)`. */
export function outcomeLine(counts: OutcomeCounts): string {
  const parts = [`${counts.uploaded} uploaded`];
  if (counts.resumed) parts.push(`${counts.resumed} uploaded by an earlier run`);
  parts.push(`${counts.failed} failed`);
  const skippedTotal = counts.skipped.reduce((n, [, c]) => n + c, 0);
  const skipped = skippedTotal
    ? `; ${skippedTotal} skipped (${counts.skipped.map(([reason, n]) => `${n} ${reason}`).join(', ')})`
    : '';
  return `${plural(counts.inputs, 'input')}: ${parts.join(', ')}${skipped}`;
}

const RESULT_HEADERS = ['STATUS', 'RESOURCE', 'INPUT', 'DETAIL'] as const;

/**
 * The result fitted to `width` columns (see renderStatusTable): a table while resource ids fit whole,
 * else each row stacked, the id never cut.
 */
export function renderResultTable(rows: string[][], width: number): string[] {
  return renderStatusTable(
    RESULT_HEADERS,
    rows.map(([status = '', id = '', input = '', detail = '']): StatusRow => [status, id, input, detail]),
    width,
  );
}

/**
 * What this run created and from how many files: files that failed before a resource existed are
 * counted as failed inputs above; a resource created before a later step failed (a refused mask) is
 * on the server, so it is counted and named apart; resources an earlier run uploaded (`--resume`)
 * are named apart too, so the counts agree with the plan's.
 */
export function createdLine(outcomes: readonly RowOutcome[]): string {
  const now = outcomes.filter((o) => o.id !== undefined && !o.resumed);
  const earlier = new Set(outcomes.flatMap((o) => (o.ok && o.resumed && o.id ? [o.id] : [])));
  const resources = new Set(now.map((o) => o.id)).size;
  const incomplete = new Set(now.flatMap((o) => (o.ok ? [] : [o.id]))).size;
  const files = now.reduce((n, o) => n + o.files.length, 0);
  const then = incomplete ? ` (${incomplete} of them then failed: see above)` : '';
  const before = earlier.size ? `; ${plural(earlier.size, 'resource')} uploaded by an earlier run` : '';
  return `${plural(resources, 'resource')} created from ${plural(files, 'file')}${then}${before}.`;
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

/** Runs the plan through `APIHandler.uploadResources` (recording outcomes in `journal`) and prints one row per input. */
export async function executeUpload(
  ctx: CommandContext,
  request: UploadRequest,
  plan: UploadPlan,
  show: ShowPath,
  journal: string,
): Promise<void> {
  const { term } = ctx;
  const totals = planTotals(plan);
  // The bar counts what the summary counts: every unit and every file the plan could not use.
  const bars = new ProgressBars(term, {
    inputs: totals.resources + plan.problems.length,
    bytes: totals.bytes,
  });
  let failed = 0;
  let uploaded = 0;
  // Units an earlier run landed (--resume) are not sent; they count as attempted from the start.
  let bytesBefore: number | undefined;
  // Files the plan could not use fail without being sent: attempted, and failed, from the start.
  const problems = plan.problems.length;
  bars.update({ done: problems, failed: problems });
  const api = await openClient(ctx, { concurrency: request.concurrency });
  // Without --resume the run starts afresh; with it, what an earlier run recorded as landed is kept.
  if (!request.resume) await removeJournal(journal);
  else term.debug(`resuming from ${journal}`);
  // Ctrl-C aborts through the client, which leaves no half-created resource; a second one quits now.
  const controller = new AbortController();
  // Two resources in a row that could not reach the server after their retries: it is gone, and
  // every other file would fail the same way, one by one.
  let unreachableInARow = 0;
  let lostConnection: Error | undefined;
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
            onBytes: (p) => {
              bytesBefore ??= totals.bytes - p.bytesTotal;
              bars.update({ bytesDone: bytesBefore + p.bytesSent });
            },
            onProgress: (p) => {
              bytesBefore ??= totals.bytes - p.bytesTotal;
              if (p.ok) uploaded++;
              else failed++;
              unreachableInARow = !p.ok && isConnectionLoss(p.error) ? unreachableInARow + 1 : 0;
              if (unreachableInARow >= LOST_AFTER && !controller.signal.aborted) {
                lostConnection = p.error;
                bars.log('The server stopped answering: stopping the uploads in flight');
                controller.abort();
              }
              const resumedUnits = plan.units.length - p.filesTotal;
              bars.update({
                done: problems + resumedUnits + p.filesDone,
                bytesDone: bytesBefore + p.bytesDone,
                failed: problems + failed,
              });
              if (term.verbose) bars.log(`${p.ok ? 'uploaded' : 'failed'}: ${p.source}`);
            },
          });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
    if (!controller.signal.aborted) {
      // Everything has been attempted now, including the files the plan could not use.
      bars.update({ done: bars.state.total, bytesDone: totals.bytes, failed: problems + failed });
    }
    bars.finish();
    await api.close();
  }
  if (lostConnection) {
    throw new CliError(
      `lost the connection to the server (${innermostMessage(lostConnection)}): ${uploaded} of ${totals.resources} resources were confirmed; run the same command with --resume once it answers again, to upload the rest without duplicating what landed`,
      { cause: lostConnection },
    );
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
  if (term.json) {
    term.emitJson({
      ok: failures.length === 0,
      totals: {
        inputs: ordered.length,
        // The files the summary counts ("8 files (…) → …"): those of the planned resources. An
        // input the plan could not use (an unreadable folder is one) is a failed input, not a file.
        files: totals.files,
        resources: created.size,
        failed: failures.length,
      },
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
      skipped: skippedJson(plan.skipped, show),
    });
  } else {
    const width = term.tableWidth;
    const rows = resultRows(ordered, plan.skipped, term.verbose, show);
    if (rows.length) for (const line of renderResultTable(rows, width)) term.out(line);
    for (const line of wrapClauses(outcomeLine(outcomeCounts(ordered, plan.skipped)), width)) term.out(line);
    for (const line of wrapClauses(createdLine(ordered), width)) term.out(line);
  }
  if (failures.length) {
    throw new CliError(
      `${failures.length} of ${ordered.length} input(s) failed to upload${term.json ? '' : ' (listed above)'}`,
    );
  }
}
