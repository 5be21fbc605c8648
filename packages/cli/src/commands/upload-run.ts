import { readFile } from 'node:fs/promises';
import type { SegmentationFiles, UploadResult } from '@datamint/client';
import { readMask } from '@datamint/segmentation';
import { openClient } from '../connect';
import type { CommandContext } from '../context';
import type { UploadUnit } from '../discovery/plan';
import type { DiscoveredMask } from '../discovery/segmentations';
import { CliError, ExitCode } from '../errors';
import { ellipsize, plural, renderTable } from '../ui/format';
import { ProgressBars } from '../ui/progress';
import type { UploadPlan, UploadRequest } from './upload';

/** The outcome of one planned unit (a file, or a series assembled into one resource). */
export interface UnitOutcome {
  unit: UploadUnit;
  ok: boolean;
  /** Resource ids created for the unit (one, unless the server side split a series). */
  ids: string[];
  /** Why it failed (first distinct reasons of its files). */
  error?: string;
  segmentationIds: string[];
}

/**
 * The client puts a mask without frame index on the frame of the slice it came with; a volume
 * mask (NIfTI) of an assembled series covers all frames instead, so its frames are spelled out.
 */
async function frameIndexesOf(
  mask: DiscoveredMask,
  unit: UploadUnit,
): Promise<number | number[] | undefined> {
  if (mask.frameIndex !== null) return mask.frameIndex;
  if (unit.kind !== 'series' || !/\.nii(\.gz)?$/i.test(mask.path)) return undefined;
  const volume = readMask(new Uint8Array(await readFile(mask.path)), { fileName: mask.path });
  return Array.from({ length: volume.frames }, (_, i) => i);
}

async function segmentationSpec(unit: UploadUnit): Promise<SegmentationFiles | null> {
  if (!unit.masks.length) return null;
  const frameIndex: (number | number[] | undefined)[] = [];
  for (const mask of unit.masks) frameIndex.push(await frameIndexesOf(mask, unit));
  return {
    files: unit.masks.map((m) => m.path),
    names: unit.masks.map((m) => m.names ?? undefined),
    frameIndex,
  };
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

/** Combines the per-file results of a unit's members into one row. */
export function unitOutcome(unit: UploadUnit, results: readonly (UploadResult | undefined)[]): UnitOutcome {
  const ids = [...new Set(results.flatMap((r) => (r?.ok ? [r.id] : r?.id ? [r.id] : [])))];
  const errors = [
    ...new Set(results.flatMap((r) => (r && !r.ok ? [r.error.message] : r ? [] : ['not uploaded']))),
  ];
  const segmentationIds = [...new Set(results.flatMap((r) => (r?.ok ? r.segmentationIds : [])))];
  return {
    unit,
    ok: errors.length === 0,
    ids,
    ...(errors.length ? { error: errors.join('; ') } : {}),
    segmentationIds,
  };
}

/** A failure reason for the table: the unit's own paths (already in the INPUT column) shortened to names. */
export function conciseReason(reason: string, unit: UploadUnit): string {
  let out = reason;
  for (const file of unit.files) {
    const name = file.path.split(/[\\/]/).pop()!;
    for (const p of [file.path, file.display]) out = out.split(p).join(name);
  }
  return out;
}

export function resultRows(outcomes: readonly UnitOutcome[], width: number): string[][] {
  return outcomes.map((o) => {
    const detail = o.ok
      ? [
          o.unit.kind === 'series' ? `assembled from ${o.unit.files.length} files` : '',
          o.segmentationIds.length ? plural(o.segmentationIds.length, 'segmentation') : '',
        ]
          .filter(Boolean)
          .join(', ')
      : ellipsize(conciseReason(o.error ?? 'failed', o.unit), Math.max(80, width * 2));
    return [o.ok ? 'ok' : 'FAILED', o.ids.join(', ') || '-', ellipsize(o.unit.label, width), detail];
  });
}

/** Uploads the plan through `APIHandler.uploadResources` and prints one row per input. */
export async function executeUpload(
  ctx: CommandContext,
  request: UploadRequest,
  plan: UploadPlan,
): Promise<void> {
  const { term } = ctx;
  const outcomes = new Map<UploadUnit, UnitOutcome>();
  // Refused here: a DICOM file we cannot parse cannot be anonymized, so it must not leave the machine.
  const sendable: UploadUnit[] = [];
  for (const unit of plan.units) {
    if (unit.problem && request.anonymize && unit.fileKind === 'dicom') {
      outcomes.set(unit, {
        unit,
        ok: false,
        ids: [],
        error: `${unit.problem} (not sent: it cannot be anonymized)`,
        segmentationIds: [],
      });
    } else sendable.push(unit);
  }
  const totalBytes = sendable.reduce((sum, u) => sum + u.size, 0);
  const bars = new ProgressBars(term, { files: sendable.length, bytes: totalBytes });
  let failed = outcomes.size;
  let uploaded = 0;
  const api = await openClient(ctx, { concurrency: request.concurrency });
  const useRelative = ctx.streams.cwd === process.cwd();
  // Ctrl-C aborts through the client, which leaves no half-created resource; a second one quits now.
  const controller = new AbortController();
  const onInterrupt = (): void => {
    if (controller.signal.aborted) process.exit(ExitCode.interrupted);
    bars.log('Interrupted: stopping the uploads in flight (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    // One call for everything, so the anonymizer maps UIDs consistently across all files.
    const inputs: string[] = [];
    const segmentations: (SegmentationFiles | null)[] = [];
    const metadata: (string | null)[] = [];
    for (const unit of sendable) {
      const spec = await segmentationSpec(unit);
      unit.files.forEach((file, i) => {
        inputs.push(useRelative ? file.display : file.path);
        // Masks go with the first slice: the client attaches them to the assembled resource.
        segmentations.push(i === 0 ? spec : null);
        metadata.push(i === 0 && unit.metadataFile ? unit.metadataFile : null);
      });
    }
    const results =
      inputs.length === 0
        ? []
        : await api.uploadResources(inputs, {
            onError: 'skip',
            anonymize: request.anonymize,
            ...(request.anonymize ? { anonymizeProfile: request.anonymizationProfile } : {}),
            ...(request.retainAttributes.length ? { anonymizeRetainCodes: request.retainAttributes } : {}),
            tags: request.tags,
            ...(request.channel ? { channel: request.channel } : {}),
            ...(request.modality ? { modality: request.modality } : {}),
            publish: request.publish,
            ...(request.publishTo ? { publishTo: request.publishTo } : {}),
            ...(request.mungFilename ? { mungFilename: request.mungFilename } : {}),
            assembleDicoms: request.assemble,
            transposeSegmentation: request.transposeSegmentation,
            ...(segmentations.some(Boolean) ? { segmentationFiles: segmentations } : {}),
            ...(metadata.some(Boolean) ? { metadataFiles: metadata } : {}),
            concurrency: request.concurrency,
            signal: controller.signal,
            onProgress: (p) => {
              if (p.ok) uploaded++;
              else failed++;
              bars.update({ filesDone: p.filesDone, bytesDone: p.bytesDone, failed });
              if (term.verbose) bars.log(`${p.ok ? 'uploaded' : 'failed'}: ${p.source}`);
            },
          });
    for (const unit of sendable) {
      const members = unit.files.map((f) => results[inputs.indexOf(useRelative ? f.display : f.path)]);
      outcomes.set(unit, unitOutcome(unit, members));
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    process.off('SIGINT', onInterrupt);
    bars.finish();
    await api.close();
  }
  if (controller.signal.aborted) {
    throw new CliError(
      `upload interrupted: ${uploaded} of ${sendable.length} resources were confirmed before it (an upload in flight may have landed too); they stay on the server (see \`datamint resources list\`)`,
      { exitCode: ExitCode.interrupted },
    );
  }

  const ordered = plan.units.map((u) => outcomes.get(u)!);
  const failures = ordered.filter((o) => !o.ok);
  for (const f of failures) term.debug(`failed: ${f.unit.label}: ${f.error}`);
  const created = new Set(ordered.flatMap((o) => (o.ok ? o.ids : [])));
  if (term.json) {
    term.emitJson({
      ok: failures.length === 0,
      totals: {
        inputs: ordered.length,
        files: plan.units.reduce((n, u) => n + u.files.length, 0),
        resources: created.size,
        failed: failures.length,
      },
      results: ordered.map((o) => ({
        input: o.unit.label,
        kind: o.unit.kind,
        type: o.unit.fileKind,
        files: o.unit.files.map((f) => f.display),
        ok: o.ok,
        ids: o.ids,
        ...(o.ids.length === 1 ? { id: o.ids[0] } : {}),
        segmentationIds: o.segmentationIds,
        ...(o.error ? { error: o.error } : {}),
      })),
    });
  } else {
    const width = term.stdoutIsTTY ? Math.max(48, term.columns - 60) : Number.POSITIVE_INFINITY;
    for (const line of renderTable(['STATUS', 'RESOURCE', 'INPUT', 'DETAIL'], resultRows(ordered, width))) {
      term.out(line);
    }
    term.out(
      `${plural(created.size, 'resource')} created from ${plural(
        plan.units.reduce((n, u) => n + u.files.length, 0),
        'file',
      )}; ${plural(failures.length, 'input')} failed.`,
    );
  }
  if (failures.length) {
    throw new CliError(
      `${failures.length} of ${ordered.length} input(s) failed to upload (see the table above)`,
    );
  }
}
