import { describe, expect, it } from 'vitest';
import type { SkippedFile } from '../src/upload/plan-types';
import { skippedWarnings } from '../src/upload/results';

describe('skippedWarnings', () => {
  it.each<[string, SkippedFile[], string[]]>([
    ['nothing skipped', [], []],
    [
      'only files a walk left out (no position): nothing to say',
      [
        { source: 'a/.DS_Store', reason: 'system file' },
        { source: 'a/r.dcm', reason: 'dicom report' },
      ],
      [],
    ],
    [
      'one DICOMDIR',
      [{ source: 'cd/DICOMDIR', reason: 'dicom directory', position: 0 }],
      [
        'cd/DICOMDIR: DICOMDIR (an index of the files of a medium, no image of its own) not uploaded (no result is returned for it)',
      ],
    ],
    [
      'reports counted, the first named, one line per reason',
      [
        { source: 'r1.dcm', reason: 'dicom report', position: 1 },
        { source: 'DICOMDIR', reason: 'dicom directory', position: 0 },
        { source: 'r2.dcm', reason: 'dicom report', position: 2 },
        { source: 'empty.png', reason: 'empty', position: 3 },
      ],
      [
        'r1.dcm and 1 more: DICOM report (Modality SR, DOC, KO, PR or ESR) not uploaded; pass discardDicomReports: false to upload it (no result is returned for them)',
        'DICOMDIR: DICOMDIR (an index of the files of a medium, no image of its own) not uploaded (no result is returned for it)',
      ],
    ],
  ])('%s', (_, skipped, expected) => {
    expect(skippedWarnings(skipped)).toEqual(expected);
  });

  it('sums up a PACS export of 200,000 presentation states in one line', () => {
    const skipped: SkippedFile[] = Array.from({ length: 200_000 }, (_, i) => ({
      source: `export/PS${i}.dcm`,
      reason: 'dicom report',
      position: i,
    }));
    const [line, ...rest] = skippedWarnings(skipped);
    expect(rest).toEqual([]);
    expect(line).toMatch(/^export\/PS0\.dcm and 199999 more: DICOM report/);
  });
});
