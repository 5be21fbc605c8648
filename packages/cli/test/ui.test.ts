import { describe, expect, it } from 'vitest';
import { ellipsize, humanSize, renderTable } from '../src/ui/format';
import { renderProgress } from '../src/ui/progress';

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
    expect(ellipsize('a/very/long/path/to/file.dcm', 12)).toBe('a/ve…ile.dcm');
    expect(ellipsize('short', 12)).toBe('short');
  });

  it('renders both progress bars', () => {
    const [files, bytes] = renderProgress(
      { filesDone: 1, filesTotal: 4, bytesDone: 500_000, bytesTotal: 1_000_000, failed: 1 },
      80,
      1000,
    );
    expect(files).toBe('files [########----------------------]  25% 1/4, 1 failed');
    expect(bytes).toBe('bytes [###############---------------]  50% 500.0 kB/1.0 MB 500.0 kB/s');
  });
});
