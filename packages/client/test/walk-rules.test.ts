import { describe, expect, it } from 'vitest';
import { fileSkipReason, folderSkipReason, walkDepth } from '../src/upload/walk-rules';

describe('the walkers’ rules', () => {
  it.each([
    // name, level, maxDepth, excludeDirs, reason
    ['study', 0, 1, undefined, undefined],
    ['study', 1, 1, undefined, 'too deep'],
    ['__MACOSX', 0, Number.POSITIVE_INFINITY, undefined, 'system file'],
    ['.git', 0, Number.POSITIVE_INFINITY, undefined, 'system file'],
    ['raw-2024', 0, Number.POSITIVE_INFINITY, ['raw-*'], 'excluded directory'],
    // A system folder is said to be one even where it is also excluded or too deep.
    ['.cache', 5, 1, ['.cache'], 'system file'],
    ['cache', 5, 1, ['cache'], 'excluded directory'],
  ] as const)('folder %s at level %i of %d, excluding %j: %s', (name, level, maxDepth, exclude, reason) => {
    expect(folderSkipReason(name, level, maxDepth, exclude)).toBe(reason);
  });

  it.each([
    ['scan.dcm', {}, undefined],
    ['.DS_Store', {}, 'system file'],
    ['._scan.png', { includeExtensions: ['png'] }, 'system file'],
    ['notes.txt', { excludeExtensions: ['txt'] }, 'extension filter'],
    ['brain.nii.gz', { includeExtensions: ['gz'] }, undefined],
    ['brain.nii.gz', { includeExtensions: ['dcm'] }, 'extension filter'],
  ] as const)('file %s with %j: %s', (name, filter, reason) => {
    expect(fileSkipReason(name, filter)).toBe(reason);
  });

  it.each([
    [true, 0, Number.POSITIVE_INFINITY],
    [false, Number.POSITIVE_INFINITY, 0],
    [2, 0, 2],
    [-1, 0, 0],
    [undefined, 0, 0],
    [undefined, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
  ] as const)('recursive %j with the walker’s default %d enters %d levels', (recursive, fallback, depth) => {
    expect(walkDepth(recursive, fallback)).toBe(depth);
  });
});
