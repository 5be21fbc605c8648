import type { UploadUnit } from '../discovery/plan';
import type { SkippedEntry } from '../discovery/walk';
import { humanSize, percent, plural } from '../ui/format';

export interface PlanTotals {
  files: number;
  resources: number;
  bytes: number;
  series: number;
  /** Files per extension (`no extension` for DICOMs named like `I10`), most frequent first. */
  byExtension: [string, number][];
  withMasks: number;
  maskFiles: number;
  withMetadata: number;
  expectedFailures: number;
}

export function planTotals(units: readonly UploadUnit[]): PlanTotals {
  const counts = new Map<string, number>();
  let files = 0;
  let bytes = 0;
  for (const unit of units) {
    for (const file of unit.files) {
      files++;
      bytes += file.size;
      const key = file.extension || 'no extension';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const masks = new Set(units.flatMap((u) => u.masks.map((m) => m.path)));
  return {
    files,
    resources: units.length,
    bytes,
    series: units.filter((u) => u.kind === 'series').length,
    byExtension: [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    withMasks: units.filter((u) => u.masks.length > 0).length,
    maskFiles: masks.size,
    withMetadata: units.filter((u) => u.metadataFile).length,
    expectedFailures: units.filter((u) => u.problem).length,
  };
}

export function summarizeSkipped(skipped: readonly SkippedEntry[]): string | undefined {
  if (!skipped.length) return undefined;
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return `Skipped: ${[...counts].map(([reason, n]) => `${n} ${reason}`).join(', ')}${
    counts.has('too deep') ? ' (use -r or --depth to enter sub-directories)' : ''
  }`;
}

/** The summary shown before the confirmation and by --dry-run. */
export function summaryLines(
  units: readonly UploadUnit[],
  skipped: readonly SkippedEntry[],
  options: { segmentation: boolean; includeFilter: boolean; anonymize: boolean; profile?: string },
): string[] {
  const t = planTotals(units);
  const lines = [
    `${plural(t.files, 'file')} (${humanSize(t.bytes)}) → ${plural(t.resources, 'resource')}${
      t.series ? `, including ${plural(t.series, 'DICOM series', 'DICOM series')} to assemble` : ''
    }`,
  ];
  const series = units.filter((u) => u.kind === 'series');
  if (series.length) {
    lines.push('Series to assemble into one multi-frame resource each:');
    for (const s of series) lines.push(`  ${s.label}  ${humanSize(s.size)}`);
  }
  lines.push('Files per type:');
  for (const [ext, n] of t.byExtension) lines.push(`  ${ext.padEnd(14)} ${n}`);
  if (t.byExtension.length > 1 && !options.includeFilter) {
    lines.push('  (several file types: use --include-extensions / --exclude-extensions to narrow)');
  }
  if (t.withMetadata)
    lines.push(`Resources with JSON metadata: ${t.withMetadata} (${percent(t.withMetadata, t.resources)})`);
  if (options.segmentation) {
    lines.push(
      `Resources with segmentations: ${t.withMasks} of ${t.resources} (${percent(t.withMasks, t.resources)}), ${plural(t.maskFiles, 'mask file')}`,
    );
  }
  if (t.expectedFailures) {
    lines.push(`Files that cannot be read and will fail: ${t.expectedFailures}`);
    for (const u of units.filter((x) => x.problem)) lines.push(`  ${u.label}: ${u.problem}`);
  }
  lines.push(
    options.anonymize
      ? 'DICOM files will be anonymized (--retain-pii to keep identifiers).'
      : 'DICOM files keep their identifiers (--retain-pii).',
  );
  const skippedLine = summarizeSkipped(skipped);
  if (skippedLine) lines.push(skippedLine);
  return lines;
}

/** The --json form of the plan. */
export function planJson(units: readonly UploadUnit[], skipped: readonly SkippedEntry[]) {
  const t = planTotals(units);
  return {
    totals: { ...t, byExtension: Object.fromEntries(t.byExtension) },
    resources: units.map((u) => ({
      kind: u.kind,
      type: u.fileKind,
      label: u.label,
      size: u.size,
      files: u.files.map((f) => f.display),
      ...(u.seriesInstanceUid ? { seriesInstanceUid: u.seriesInstanceUid } : {}),
      ...(u.metadataFile ? { metadataFile: u.metadataFile } : {}),
      masks: u.masks.map((m) => ({ path: m.path, frameIndex: m.frameIndex, names: m.names })),
      ...(u.problem ? { problem: u.problem } : {}),
      ...(u.note ? { note: u.note } : {}),
    })),
    skipped: skipped.map((s) => ({ path: s.path, reason: s.reason })),
  };
}
