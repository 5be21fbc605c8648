import { basename } from 'node:path';
import type { PlannedUnit, PlanProblem, SkippedFile, UploadPlan } from '@datamint/client';
import { humanSize, percent, plural } from '../ui/format';
import { fitPathLine, truncateEnd, wrapClauses, wrapPathLine } from '../ui/width';

/** What a unit holds, for the table and `--json` (from the mimetype the plan settled on). */
export type FileKind = 'dicom' | 'nifti' | 'image' | 'video' | 'other';

export function kindOf(unit: Pick<PlannedUnit, 'mimetype'>): FileKind {
  const type = unit.mimetype ?? '';
  if (type === 'application/dicom') return 'dicom';
  if (type === 'application/x-nifti') return 'nifti';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('video/')) return 'video';
  return 'other';
}

/** How a path is shown: as typed, or relative to the command's folder when it was made absolute. */
export type ShowPath = (source: string) => string;

const asIs: ShowPath = (source) => source;

/**
 * What the table shows for a unit: a series' description and first file, the `.nii` a NIfTI pair
 * makes and its two files (`scans/air.nii (from air.hdr.gz + air.img.gz)`), or the file.
 */
export function unitLabel(unit: PlannedUnit, show: ShowPath = asIs): string {
  const first = show(unit.files[0]!.source);
  if (unit.kind === 'nifti-pair') {
    const [header, image] = unit.files.map((f) => basename(f.source));
    const folder = first.endsWith(header!) ? first.slice(0, first.length - header!.length) : '';
    return `${folder}${unit.filename} (from ${header} + ${image})`;
  }
  if (unit.kind !== 'series') return first;
  const about = unit.series?.description ?? unit.series?.modality;
  return about ? `${about} (${first}, …)` : `${first} (series)`;
}

/** The lower-case extension, `nii.gz` as one; `no extension` for DICOMs named like `I10`. */
function extensionOf(source: string): string {
  const name = (source.split(/[\\/]/).pop() ?? '').toLowerCase().replace(/^\.+/, '');
  const match = /\.((?:[^.]+\.(?:gz|bz2|xz|zst))|[^.]+)$/.exec(name);
  return match ? match[1]! : 'no extension';
}

/** Why a file the plan could not use will fail, without its path (shown next to it). */
export function problemReason(problem: PlanProblem): string {
  const { name, message } = problem.error;
  if (name === 'InvalidDicomError') return `not a readable DICOM file: ${message}`;
  if (name === 'UnreadableFileError') return `cannot be read: ${message}`;
  return message;
}

/** The counts the summary, the bars and the final line all use, so they agree. */
export interface PlanTotals {
  files: number;
  resources: number;
  bytes: number;
  series: number;
  /** NIfTI `.hdr`/`.img` pairs, each sent as one `.nii`. */
  pairs: number;
  /** Files per extension, most frequent first. */
  byExtension: [string, number][];
  withMasks: number;
  maskFiles: number;
  withMetadata: number;
  /** Files that cannot be uploaded (each fails alone). */
  problems: number;
}

export function planTotals(plan: UploadPlan): PlanTotals {
  const counts = new Map<string, number>();
  let files = 0;
  let bytes = 0;
  for (const unit of plan.units) {
    bytes += unit.size;
    for (const file of unit.files) {
      files++;
      const key = extensionOf(file.source);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const masks = new Set(plan.units.flatMap((u) => u.segmentations.map((t) => t.input)));
  return {
    files,
    resources: plan.units.length,
    bytes,
    series: plan.units.filter((u) => u.kind === 'series').length,
    pairs: plan.units.filter((u) => u.kind === 'nifti-pair').length,
    byExtension: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    withMasks: plan.units.filter((u) => u.segmentations.length > 0).length,
    maskFiles: masks.size,
    withMetadata: plan.units.filter((u) => u.metadata !== undefined).length,
    problems: plan.problems.length,
  };
}

export function summarizeSkipped(skipped: readonly SkippedFile[]): string | undefined {
  if (!skipped.length) return undefined;
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return `Skipped: ${[...counts].map(([reason, n]) => `${n} ${reason}`).join(', ')}${
    counts.has('too deep') ? ' (use -r or --depth to enter sub-directories)' : ''
  }`;
}

/** The summary shown before the confirmation and by --dry-run. */
export function summaryLines(
  plan: UploadPlan,
  options: {
    segmentation: boolean;
    includeFilter: boolean;
    anonymize: boolean;
    show?: ShowPath;
    /** Columns each line may use (paths lose their middle first); unlimited by default. */
    width?: number;
    /** Every file that will fail on a line of its own, even when its reason repeats the one above. */
    verbose?: boolean;
  },
): string[] {
  const show = options.show ?? asIs;
  const width = options.width ?? Number.POSITIVE_INFINITY;
  const t = planTotals(plan);
  // The inputs that will fail are counted here too, so the first line agrees with "Inputs:" below.
  const lines = wrapClauses(
    `${plural(t.files, 'file')} (${humanSize(t.bytes)}) → ${plural(t.resources, 'resource')}${
      t.series ? `, including ${plural(t.series, 'DICOM series', 'DICOM series')} to assemble` : ''
    }${t.pairs ? `, ${plural(t.pairs, 'NIfTI .hdr/.img pair')} joined into .nii` : ''}${t.problems ? `; ${plural(t.problems, 'more input')} will fail (see below)` : ''}`,
    width,
  );
  const series = plan.units.filter((u) => u.kind === 'series');
  if (series.length) {
    lines.push('Series to assemble into one multi-frame resource each:');
    for (const s of series) {
      lines.push(
        fitPathLine(
          '  ',
          unitLabel(s, show),
          `  ${plural(s.files.length, 'file')}  ${humanSize(s.size)}`,
          width,
        ),
      );
    }
  }
  const pairs = plan.units.filter((u) => u.kind === 'nifti-pair');
  if (pairs.length) {
    lines.push('NIfTI .hdr/.img pairs to upload as one .nii each:');
    for (const p of pairs) lines.push(fitPathLine('  ', unitLabel(p, show), `  ${humanSize(p.size)}`, width));
  }
  if (t.byExtension.length) lines.push('Files per type:');
  for (const [ext, n] of t.byExtension) lines.push(`  ${ext.padEnd(14)} ${n}`);
  if (t.byExtension.length > 1 && !options.includeFilter) {
    lines.push('  (several types: --include-extensions or --exclude-extensions narrow them)');
  }
  if (t.withMetadata)
    lines.push(`Resources with JSON metadata: ${t.withMetadata} (${percent(t.withMetadata, t.resources)})`);
  if (options.segmentation) {
    lines.push(
      `Resources with segmentations: ${t.withMasks} of ${t.resources} (${percent(t.withMasks, t.resources)}), ${plural(t.maskFiles, 'mask file')}`,
    );
  }
  for (const u of plan.units) {
    if (u.note) lines.push(...wrapPathLine('Note: ', show(u.files[0]!.source), u.note, width));
  }
  if (t.problems) {
    lines.push(`Files that cannot be uploaded and will fail: ${t.problems}`);
    let previous: string | undefined;
    let repeats = 0;
    const sayRepeats = (): void => {
      if (repeats)
        lines.push(`  … and ${plural(repeats, 'more file')} for the same reason (--verbose lists them)`);
      repeats = 0;
    };
    for (const p of plan.problems) {
      // The reason repeats the absolute path; the name is enough after the path shown first.
      const name = p.source.split(/[\\/]/).pop() ?? p.source;
      const reason = problemReason(p).split(p.source).join(name);
      // The slices of a series whose mask does not fit all fail for one reason: said once.
      if (reason === previous && !options.verbose) {
        repeats++;
        continue;
      }
      sayRepeats();
      previous = reason;
      lines.push(...wrapPathLine('  ', show(p.source), reason, width));
    }
    sayRepeats();
    // The number the progress bar and the result count, so the three agree.
    lines.push(
      `Inputs: ${t.resources + t.problems} (${plural(t.resources, 'resource')}, ${t.problems} that will fail)`,
    );
  }
  // Said only when there is DICOM to anonymize (or keep): a folder of PNGs has nothing to say.
  if (plan.units.some((u) => u.kind === 'series' || u.mimetype === 'application/dicom')) {
    lines.push(
      options.anonymize
        ? 'DICOM files will be anonymized (--retain-pii to keep identifiers).'
        : 'DICOM files keep their identifiers (--retain-pii).',
    );
  }
  const skippedLine = summarizeSkipped(plan.skipped);
  if (skippedLine) lines.push(skippedLine);
  // Fitted lines are left as they are; the others are free text that may lose their end.
  return lines.map((line) => truncateEnd(line, width));
}

/**
 * The files the walk left out (by an extension filter, depth, a DICOM report…), as `--json` lists
 * them: the dry run and the real run give the same list, since with `--json` no note says it.
 */
export function skippedJson(skipped: readonly SkippedFile[], show: ShowPath = asIs) {
  return skipped.map((s) => ({ path: show(s.source), reason: s.reason }));
}

/** The --json form of the plan. */
export function planJson(plan: UploadPlan, show: ShowPath = asIs) {
  const t = planTotals(plan);
  return {
    totals: { ...t, byExtension: Object.fromEntries(t.byExtension) },
    resources: plan.units.map((u) => ({
      id: u.id,
      kind: u.kind,
      type: kindOf(u),
      label: unitLabel(u, show),
      filename: u.filename,
      size: u.size,
      files: u.files.map((f) => show(f.source)),
      ...(u.series ? { seriesInstanceUid: u.series.seriesInstanceUid } : {}),
      ...(typeof u.metadata === 'string' ? { metadataFile: u.metadata } : {}),
      masks: u.segmentations.map((m) => ({
        path: m.input,
        frameIndex: m.frameIndex ?? null,
        names: m.names ?? null,
      })),
      ...(u.note ? { note: u.note } : {}),
    })),
    problems: plan.problems.map((p) => ({
      path: show(p.source),
      error: problemReason(p),
      ...(p.error.code ? { code: p.error.code } : {}),
    })),
    skipped: skippedJson(plan.skipped, show),
  };
}
