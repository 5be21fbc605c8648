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

/**
 * The modality a NIfTI's JSON sidecar declares (BIDS `Modality`, any case). The client has no
 * metadata-file option yet, so the sidecar contributes its modality; see the README.
 */
async function sidecarModality(unit: UploadUnit, ctx: CommandContext): Promise<string | undefined> {
  if (!unit.metadataFile) return undefined;
  try {
    const data = JSON.parse(await readFile(unit.metadataFile, 'utf8')) as unknown;
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      for (const [key, value] of Object.entries(data)) {
        if (key.toLowerCase() === 'modality' && typeof value === 'string' && value) return value;
      }
    }
  } catch (error) {
    ctx.term.warn(`metadata ${unit.metadataFile} ignored: ${(error as Error).message}`);
  }
  return undefined;
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
  const groups = new Map<string | undefined, UploadUnit[]>();
  for (const unit of sendable) {
    const modality = (await sidecarModality(unit, ctx)) ?? request.modality;
    groups.set(modality, [...(groups.get(modality) ?? []), unit]);
  }
  const totalBytes = sendable.reduce((sum, u) => sum + u.size, 0);
  const bars = new ProgressBars(term, { files: sendable.length, bytes: totalBytes });
  let filesBefore = 0;
  let bytesBefore = 0;
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
    for (const [modality, units] of groups) {
      if (controller.signal.aborted) break;
      const inputs: string[] = [];
      const segmentations: (SegmentationFiles | null)[] = [];
      for (const unit of units) {
        const spec = await segmentationSpec(unit);
        unit.files.forEach((file, i) => {
          inputs.push(useRelative ? file.display : file.path);
          // Masks go with the first slice: the client attaches them to the assembled resource.
          segmentations.push(i === 0 ? spec : null);
        });
      }
      let groupBytes = 0;
      let groupFiles = 0;
      const results = await api.uploadResources(inputs, {
        onError: 'skip',
        anonymize: request.anonymize,
        ...(request.anonymize ? { anonymizeProfile: request.anonymizationProfile } : {}),
        ...(request.retainAttributes.length ? { anonymizeRetainCodes: request.retainAttributes } : {}),
        tags: request.tags,
        ...(request.channel ? { channel: request.channel } : {}),
        ...(modality ? { modality } : {}),
        publish: request.publish,
        ...(request.publishTo ? { publishTo: request.publishTo } : {}),
        ...(request.mungFilename ? { mungFilename: request.mungFilename } : {}),
        assembleDicoms: request.assemble,
        transposeSegmentation: request.transposeSegmentation,
        ...(segmentations.some(Boolean) ? { segmentationFiles: segmentations } : {}),
        concurrency: request.concurrency,
        signal: controller.signal,
        onProgress: (p) => {
          groupBytes = p.bytesDone;
          groupFiles = p.filesDone;
          if (p.ok) uploaded++;
          else failed++;
          bars.update({ filesDone: filesBefore + p.filesDone, bytesDone: bytesBefore + p.bytesDone, failed });
          if (term.verbose) bars.log(`${p.ok ? 'uploaded' : 'failed'}: ${p.source}`);
        },
      });
      filesBefore += groupFiles;
      bytesBefore += groupBytes;
      for (const unit of units) {
        const members = unit.files.map((f) => results[inputs.indexOf(useRelative ? f.display : f.path)]);
        outcomes.set(unit, unitOutcome(unit, members));
      }
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
