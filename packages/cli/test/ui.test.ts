import { describe, expect, it } from 'vitest';
import { renderResultTable } from '../src/commands/upload-run';
import { ellipsize, fitColumns, humanSize, renderTable } from '../src/ui/format';
import { renderProgress, renderProgressLine } from '../src/ui/progress';
import { addSample, bytesPerSecond, etaSeconds, formatDuration, type RateSample } from '../src/ui/rate';
import {
  displayWidth,
  fitPathLine,
  padDisplay,
  truncateEnd,
  truncateMiddle,
  wrapClauses,
  wrapPathLine,
  wrapWords,
} from '../src/ui/width';

describe('formatting', () => {
  it('prints sizes in decimal units like the Python tool', () => {
    expect(humanSize(999)).toBe('999 Bytes');
    expect(humanSize(40_700)).toBe('40.7 kB');
    expect(humanSize(29_386_247)).toBe('29.4 MB');
  });

  it('aligns table columns and shortens long paths in the middle', () => {
    expect(
      renderTable(
        ['A', 'BB'],
        [
          ['xxx', 'y'],
          ['z', 'long value'],
        ],
      ),
    ).toEqual(['A    BB', '---  ----------', 'xxx  y', 'z    long value']);
    expect(ellipsize('a/very/long/path/to/file.dcm', 12)).toBe('a/v…file.dcm');
  });

  it('leaves out droppable columns, most expendable first, only while the rest cannot fit', () => {
    const headers = ['ID', 'NAME', 'KIND', 'WHEN'];
    const rows = [['0123456789abcdef', 'a-rather-long-file-name.dcm', 'application/dicom', '2026-12-05']];
    const fit = { flexible: [1], middle: [1], droppable: [2, 3] };
    // Wide enough: every column, whole.
    expect(renderTable(headers, rows, { ...fit, maxWidth: 100 })[2]).toBe(
      '0123456789abcdef  a-rather-long-file-name.dcm  application/dicom  2026-12-05',
    );
    // The name gives way first (shortened in the middle), then KIND goes, then WHEN.
    expect(renderTable(headers, rows, { ...fit, maxWidth: 70 })[2]).toBe(
      '0123456789abcdef  a-rath…-file-name.dcm  application/dicom  2026-12-05',
    );
    expect(renderTable(headers, rows, { ...fit, maxWidth: 50 })).toEqual([
      'ID                NAME                  WHEN',
      '----------------  --------------------  ----------',
      '0123456789abcdef  a-rath…file-name.dcm  2026-12-05',
    ]);
    expect(renderTable(headers, rows, { ...fit, maxWidth: 40 })[2]).toBe(
      '0123456789abcdef  a-r…me.dcm  2026-12-05',
    );
    expect(renderTable(headers, rows, { ...fit, maxWidth: 30 })[2]).toBe('0123456789abcdef  a-r…name.dcm');
    expect(ellipsize('short', 12)).toBe('short');
  });

  const state = { done: 1, total: 4, bytesDone: 500_000, bytesTotal: 1_000_000, failed: 1, rate: 100_000 };
  const facts = ' 25% 1/4 · 500.0 kB/1.0 MB · 100.0 kB/s · ETA 5s · 1 failed';

  it.each([
    // The bar takes the room the facts leave, up to 40 columns, and goes on narrow terminals.
    [100, `[${'#'.repeat(9)}${'-'.repeat(28)}] ${facts}`],
    [60, facts],
    [40, `${facts.slice(0, 38)}…`],
  ])('renders one progress line with counts, bytes, rate and time left at %i columns', (columns, line) => {
    expect(renderProgress(state, columns)).toBe(line);
    expect(displayWidth(renderProgress(state, columns))).toBeLessThan(columns);
  });

  it('reaches 100% when everything was attempted, failures included, and drops the ETA', () => {
    const done = { ...state, done: 4, bytesDone: 1_000_000, failed: 2 };
    expect(renderProgress(done, 100)).toMatch(
      /^\[#{40}\] 100% 4\/4 · 1\.0 MB\/1\.0 MB · 100\.0 kB\/s · 2 failed$/,
    );
    expect(renderProgressLine(done)).toBe('progress: 100% 4/4, 1.0 MB/1.0 MB, 100.0 kB/s, 2 failed');
    expect(renderProgress({ ...state, rate: undefined }, 60)).toBe(
      '[##--------]  25% 1/4 · 500.0 kB/1.0 MB · ETA -- · 1 failed',
    );
  });
});

describe('rate and time left', () => {
  it.each([
    ['no samples', [], undefined],
    ['one sample', [{ atMs: 0, bytes: 0 }], undefined],
    [
      'no time between samples',
      [
        { atMs: 5, bytes: 0 },
        { atMs: 5, bytes: 100 },
      ],
      undefined,
    ],
    [
      '1000 bytes in 2 s',
      [
        { atMs: 0, bytes: 0 },
        { atMs: 2000, bytes: 1000 },
      ],
      500,
    ],
    [
      'a retry restarting the count',
      [
        { atMs: 0, bytes: 100 },
        { atMs: 1000, bytes: 50 },
      ],
      0,
    ],
  ])('bytesPerSecond: %s', (_name, samples, rate) => {
    expect(bytesPerSecond(samples)).toBe(rate);
  });

  it('keeps the samples of the window and the one just before it', () => {
    let samples: RateSample[] = [];
    for (const atMs of [0, 4000, 8000, 12_000, 16_000])
      samples = addSample(samples, { atMs, bytes: atMs }, 10_000);
    expect(samples.map((s) => s.atMs)).toEqual([4000, 8000, 12_000, 16_000]);
    expect(addSample([{ atMs: 0, bytes: 0 }], { atMs: 60_000, bytes: 6 }, 10_000)).toHaveLength(2);
  });

  it.each([
    [1000, 500, 2],
    [1001, 500, 3],
    [0, undefined, 0],
    [-5, 10, 0],
    [1000, undefined, undefined],
    [1000, 0, undefined],
  ])('etaSeconds(%i bytes left at %s B/s) = %s', (left, rate, eta) => {
    expect(etaSeconds(left, rate)).toBe(eta);
  });

  it.each([
    [undefined, '--'],
    [0, '0s'],
    [59.4, '59s'],
    [60, '1m00s'],
    [185, '3m05s'],
    [3720, '1h02m'],
    [400_000, '>99h'],
  ])('formatDuration(%s) = %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('display width', () => {
  it.each([
    ['ascii', 'scan.dcm', 8],
    ['CJK', '胸部CT.dcm', 10],
    ['Hangul', '흉부.png', 8],
    ['fullwidth', 'ＡＢ', 4],
    ['emoji', '🫁 lungs.png', 12],
    ['emoji with variation selector', '❤️.png', 6],
    ['ZWJ family emoji', '👨‍👩‍👧.png', 6],
    ['flag', '🇫🇷.png', 6],
    ['combining acute accent', 'cafe\u0301.png', 8],
    ['precomposed accent', 'café.png', 8],
    ['ANSI colour', '\u001b[31mFAILED\u001b[0m', 6],
    ['zero-width joiner alone', '\u200d', 0],
  ])('%s: %s is %i columns', (_name, text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it.each([
    ['a/very/long/path/to/file.dcm', 12, 'a/v…file.dcm'],
    ['short', 12, 'short'],
    ['患者/胸部/画像/スキャン.dcm', 14, '患者…ャン.dcm'],
    ['🫁🫁🫁🫁🫁🫁.png', 9, '🫁…🫁.png'],
    ['abc', 1, '…'],
    ['abc', 0, ''],
  ])('truncateMiddle(%s, %i) = %s', (text, max, out) => {
    expect(truncateMiddle(text, max)).toBe(out);
    expect(displayWidth(truncateMiddle(text, max))).toBeLessThanOrEqual(max);
  });

  it.each([
    [
      '  ',
      'deep/a long folder/first-broken.dcm',
      ': not a readable DICOM file',
      80,
      '  deep/a long folder/first-broken.dcm: not a readable DICOM file',
    ],
    [
      '  ',
      'deep/a long folder/first-broken.dcm',
      ': not a readable DICOM file',
      50,
      '  deep/a…rst-broken.dcm: not a readable DICOM file',
    ],
    [
      '  ',
      'deep/a long folder/first-broken.dcm',
      '  28 files  14.9 MB',
      44,
      '  deep/a …irst-broken.dcm  28 files  14.9 MB',
    ],
    // The path is down to its shortest: then the text after it loses its end.
    [
      'Note: ',
      'scans/患者/胸部/scan-0001.dcm',
      ': uploaded as is, not assembled: TransferSyntaxUID differs',
      50,
      'Note: scans/…scan-0001.dcm: uploaded as is, not a…',
    ],
  ])('fitPathLine(%j, %j, %j, %i)', (before, path, after, max, out) => {
    const line = fitPathLine(before, path, after, max);
    expect(displayWidth(line)).toBeLessThanOrEqual(max);
    expect(line).toBe(out);
    // The end of the file name survives: the path lost its middle, not its end.
    expect(line).toContain(path.slice(-12));
  });

  it('pads to a display width and cuts the end of free text without splitting a character', () => {
    expect(padDisplay('胸部', 6)).toBe('胸部  ');
    expect(truncateEnd('胸部胸部', 6)).toBe('胸部…');
    expect(truncateEnd('abcdef', 4)).toBe('abc…');
  });

  it('fits a table to a width: paths lose their middle, identifiers last, no line wider', () => {
    const rows = [
      [
        'FAILED',
        '0f3c9d2e-aaaa-bbbb-cccc-1234567890ab',
        'data/患者/胸部/scan-0001.dcm',
        'publish failed: 403',
      ],
      ['FAILED', '-', 'data/🫁/lung.png', 'not a readable image'],
    ];
    for (const width of [40, 60, 100]) {
      const lines = renderTable(['STATUS', 'RESOURCE', 'INPUT', 'DETAIL'], rows, {
        maxWidth: width,
        flexible: [2, 3],
        middle: [2],
        lastResort: [1],
      });
      for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    }
    const wide = renderTable(
      ['A', 'PATH', 'WHY'],
      [
        ['x', '胸部.png', 'bad'],
        ['y', 'ab.png', 'bad'],
      ],
    );
    expect(wide.slice(2)).toEqual(['x  胸部.png  bad', 'y  ab.png    bad']);
    expect(fitColumns([6, 36, 30, 30], { maxWidth: 60, flexible: [2, 3] })).toEqual([6, 36, 8, 8]);
    expect(fitColumns([6, 10, 30, 12], { maxWidth: 60, flexible: [2, 3] })).toEqual([6, 10, 26, 12]);
  });
});

describe('the upload result at any width', () => {
  const id = '3f2a9c1e-1111-4222-8333-944455556666';
  const rows = [
    ['ok', id, 'scans/a-rather-long-folder-name/chest-0001.dcm', ''],
    ['FAILED', id, 'seg/scan.nii', 'created, then 422: mask shape 4x5x1 differs from image 8x8x1'],
  ];

  it('is a table while the ids fit whole', () => {
    const lines = renderResultTable(rows, 100);
    expect(lines[0]).toMatch(/^STATUS\s+RESOURCE\s+INPUT\s+DETAIL$/);
    expect(lines[3]).toMatch(new RegExp(`^FAILED  ${id}  seg/scan\\.nii\\s+created, then 422`));
  });

  it.each([100, 90])('wraps a long reason within its column at %i columns, never cutting it', (width) => {
    const lines = renderResultTable(rows, width);
    const column = lines[0]!.indexOf('DETAIL');
    const failedAt = lines.findIndex((l) => l.startsWith('FAILED'));
    const below = lines.slice(failedAt + 1);
    expect(below.length).toBeGreaterThan(0);
    for (const line of below) expect(line.slice(0, column).trim()).toBe('');
    const reason = [lines[failedAt]!, ...below].map((l) => l.slice(column)).join(' ');
    expect(reason).toBe(rows[1]![3]);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
  });

  // At 80 and 64 columns the ids fit, but the reason would wrap in a column under 20 wide.
  it.each([80, 64, 60, 50, 44])(
    'stacks each row at %i columns: no whole id or no room for the reason',
    (width) => {
      const lines = renderResultTable(rows, width);
      expect(lines).toEqual([
        `ok      ${id}`,
        `        ${truncateMiddle(rows[0]![2]!, width - 8)}`,
        `FAILED  ${id}`,
        '        seg/scan.nii',
        ...wrapWords(rows[1]![3]!, width - 8).map((line) => `        ${line}`),
      ]);
      for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
    },
  );

  it('stacks a 90-character reason rather than wrap it 8 columns wide over many lines', () => {
    const reason =
      'created, then 422: the mask shape 4x5x1 differs from the image shape 8x8x1 of scan.nii here';
    const lines = renderResultTable([['FAILED', id, 'seg/scan.nii', reason]], 64);
    expect(lines).toEqual([
      `FAILED  ${id}`,
      '        seg/scan.nii',
      ...wrapWords(reason, 56).map((line) => `        ${line}`),
    ]);
    expect(lines.length).toBeLessThanOrEqual(4);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(64);
  });

  it('keeps the table when only short details (sizes) meet a narrow column', () => {
    const lines = renderResultTable(
      [['ok', id, 'scans/a-rather-long-folder-name/chest-0001.dcm', '1.2 MB']],
      64,
    );
    expect(lines[0]).toMatch(/^STATUS\s+RESOURCE\s+INPUT\s+DETAIL$/);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(64);
  });

  it.each([43, 40])('puts the id on a line of its own at %i columns, never cut', (width) => {
    const lines = renderResultTable(rows, width);
    expect(lines.slice(0, 3)).toEqual([
      'ok',
      `${' '.repeat(width - id.length)}${id}`,
      `        ${truncateMiddle(rows[0]![2]!, width - 8)}`,
    ]);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
  });

  it('prints the id whole even on a terminal narrower than the id (the terminal wraps that line)', () => {
    const lines = renderResultTable(rows, 30);
    expect(lines.slice(0, 2)).toEqual(['ok', id]);
    for (const line of lines.filter((l) => !l.includes(id))) {
      expect(displayWidth(line), line).toBeLessThanOrEqual(30);
    }
  });

  it.each([
    [
      '5 inputs: 2 uploaded, 3 failed; 1 skipped (1 system file)',
      80,
      ['5 inputs: 2 uploaded, 3 failed; 1 skipped (1 system file)'],
    ],
    [
      '5 inputs: 2 uploaded, 3 failed; 1 skipped (1 system file)',
      40,
      ['5 inputs: 2 uploaded, 3 failed;', '1 skipped (1 system file)'],
    ],
    [
      '3 resources created from 3 files; 2 resources uploaded by an earlier run.',
      40,
      ['3 resources created from 3 files;', '2 resources uploaded by an earlier run.'],
    ],
    [
      '216 inputs: 212 uploaded, 4 failed; 6 skipped (4 dicom report, 2 system file)',
      30,
      ['216 inputs: 212 uploaded, 4 f…', '6 skipped (4 dicom report, 2 …'],
    ],
  ])('wraps %j at its clauses within %i columns', (sentence, width, lines) => {
    expect(wrapClauses(sentence, width)).toEqual(lines);
  });
});

describe('lines that say why a file failed', () => {
  it.each([
    ['a short line stays whole', '  ', 'a.png', 'not a PNG', 80, ['  a.png: not a PNG']],
    [
      'a long reason goes below the path, wrapped at words',
      '  ',
      'scans/a.png',
      'named like a PNG file, but does not start like one (first bytes: 09 50 4e 47)',
      40,
      [
        '  scans/a.png:',
        '    named like a PNG file, but does not',
        '    start like one (first bytes: 09 50',
        '    4e 47)',
      ],
    ],
    [
      'a path wider than the line loses its middle, never its file name',
      'Note: ',
      'deep/a very long folder name/and another one/scan-0001.dcm',
      'uploaded as is',
      30,
      ['Note: deep/a …e/scan-0001.dcm:', '        uploaded as is'],
    ],
    [
      'CJK names are measured in display columns',
      '  ',
      '患者/胸部/スキャン.png',
      'cannot be read: EACCES: permission denied',
      30,
      ['  患者/胸部/スキャン.png:', '    cannot be read: EACCES:', '    permission denied'],
    ],
  ])('%s', (_what, before, path, reason, width, expected) => {
    const lines = wrapPathLine(before, path, reason, width);
    expect(lines).toEqual(expected);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
  });

  it('keeps line breaks of a reason out of its wrapped lines, and a path at least 20 columns', () => {
    expect(wrapPathLine('  ', 'a.png', 'first line\nsecond   line', 80)).toEqual([
      '  a.png: first line second line',
    ]);
    expect(wrapPathLine('  ', 'a.png', 'first line\nsecond   line', 30)).toEqual([
      '  a.png:',
      '    first line second line',
    ]);
    expect(wrapPathLine('  ', 'folder/deeper/and-deeper/scan.png', 'x', 10)[0]).toBe(
      '  folder…eper/scan.png:',
    );
  });

  it('breaks a word wider than the line instead of losing it', () => {
    expect(wrapWords('see 0123456789abcdef0123 now', 10)).toEqual(['see', '0123456789', 'abcdef0123', 'now']);
  });
});
