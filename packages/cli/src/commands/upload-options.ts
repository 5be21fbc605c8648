import { toTag } from '@datamint/dicom';
import { UsageError } from '../errors';

/** Python's `--mungfilename`: `all` or positive folder positions counted from the root. */
export function parseMungFilename(value: string): 'all' | number[] {
  if (value.trim().toLowerCase() === 'all') return 'all';
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new UsageError(
      `--mungfilename ${JSON.stringify(value)}: expected "all" or comma-separated positive folder positions such as 1,2`,
      '--mungfilename',
    );
  }
  return parts.map(Number);
}

/** `(0x0008, 0x0050)`, `0008,0050`, `00080050` or a keyword such as `AccessionNumber`. */
export function parseRetainAttribute(value: string): number {
  try {
    return toTag(value.trim());
  } catch {
    throw new UsageError(
      `--retain-attribute ${JSON.stringify(value)}: expected a DICOM tag such as "(0x0008, 0x0050)", 0008,0050 or a keyword`,
      '--retain-attribute',
    );
  }
}

export function parsePositiveInt(value: string, option: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > max) {
    throw new UsageError(`${option} ${JSON.stringify(value)}: expected an integer from 1 to ${max}`, option);
  }
  return Number(value);
}

/** A calendar day `YYYY-MM-DD` given to `option` (a usage error otherwise, naming the option). */
export function parseDay(value: string, option: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  const day = match
    ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))
    : undefined;
  // Date.UTC rolls 2024-02-30 over into March: a real day gives back its own digits.
  if (!day || day.toISOString().slice(0, 10) !== value.trim()) {
    throw new UsageError(`${option} ${JSON.stringify(value)}: expected a day as YYYY-MM-DD`, option);
  }
  return value.trim();
}

export function parseDepth(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(`--depth ${JSON.stringify(value)}: expected a non-negative integer`, '--depth');
  }
  return Number(value);
}

/**
 * `datamint-upload -r 2 dir` meant "two levels deep"; commander cannot tell an optional value from
 * a path, so `-r N` / `--recursive N` become `--depth N` before parsing.
 */
export function rewriteRecursiveDepth(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if ((arg === '-r' || arg === '--recursive') && next !== undefined && /^\d+$/.test(next)) {
      out.push('--depth', next);
      i++;
    } else if (/^--recursive=\d+$/.test(arg)) out.push('--depth', arg.split('=')[1]!);
    else out.push(arg);
  }
  return out;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses `--include-extensions dcm,.png nii.gz` style values into `['dcm', 'png', 'nii.gz']`. */
export function parseExtensionList(values: readonly string[], option: string): string[] {
  const out: string[] = [];
  for (const value of values) {
    for (const raw of value.split(/[,\s]+/)) {
      const ext = raw.trim().replace(/^\.+/, '').toLowerCase();
      if (raw.trim() === '') continue;
      if (!ext || /[/\\]/.test(ext)) {
        throw new UsageError(`${option}: ${JSON.stringify(raw.trim())} is not a file extension`, option);
      }
      if (!out.includes(ext)) out.push(ext);
    }
  }
  if (out.length === 0) throw new UsageError(`${option} needs at least one extension`, option);
  return out;
}
