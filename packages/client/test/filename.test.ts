import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors';
import { checkMung, uploadNames } from '../src/upload/filename';

const posix = path.posix;

describe('upload names (http-api.md §5.2 worked examples)', () => {
  const cases: [string, 'all' | number[] | undefined, string, string][] = [
    ['data/test_dicom.dcm', undefined, 'data/test_dicom.dcm', 'test_dicom.dcm'],
    ['../data/test_dicom.dcm', 'all', '__data_test_dicom.dcm', '__data_test_dicom.dcm'],
    ['home/me/data/test_dicom.dcm', [2, 3], 'me_data_test_dicom.dcm', 'me_data_test_dicom.dcm'],
    ['path/to/dicom.dcm', 'all', 'path_to_dicom.dcm', 'path_to_dicom.dcm'],
    ['path/to/dicom.dcm', [1], 'path_dicom.dcm', 'path_dicom.dcm'],
    ['path/to/dicom.dcm', [2], 'to_dicom.dcm', 'to_dicom.dcm'],
    ['path/to/dicom.dcm', [2, 1], 'to_path_dicom.dcm', 'to_path_dicom.dcm'],
    ['path/to/dicom.dcm', [5], '_dicom.dcm', '_dicom.dcm'],
    ['/abs/dir/x.dcm', undefined, '/abs/dir/x.dcm', 'x.dcm'],
    ['/abs/dir/x.dcm', 'all', 'abs_dir_x.dcm', 'abs_dir_x.dcm'],
    ['/srv/data/home/me/study1/series A/slice1.dcm', [2, 3], 'data_home_slice1.dcm', 'data_home_slice1.dcm'],
    [
      'home/me/study1/series A/slice1.dcm',
      'all',
      'home_me_study1_series A_slice1.dcm',
      'home_me_study1_series A_slice1.dcm',
    ],
    ['../data/home/me/study1/series A/slice1.dcm', [9], '_slice1.dcm', '_slice1.dcm'],
    ['a/../../b.png', undefined, '_/b.png', 'b.png'],
    ['dicom.dcm', 'all', 'dicom.dcm', 'dicom.dcm'],
    ['./x//y/./z.png', undefined, 'x/y/z.png', 'z.png'],
  ];
  it.each(cases)('%s with %j', (input, mung, sourceFilepath, filename) => {
    expect(uploadNames(input, mung, posix)).toEqual({ sourceFilepath, filename });
  });

  it('accepts a bare position as [position] and rejects positions below 1', () => {
    expect(checkMung(2)).toEqual([2]);
    expect(checkMung('all')).toBe('all');
    expect(() => checkMung(0)).toThrow(ValidationError);
    expect(() => checkMung([1, -1])).toThrow(/mungFilename\[1\]/);
    expect(() => checkMung([1.5])).toThrow(/integer >= 1/);
  });

  it('rejects an empty name', () => {
    expect(() => uploadNames('.', undefined, posix)).toThrow(ValidationError);
  });
});
