import { describe, expect, it } from 'vitest';
import { downloadFileName } from '../src/index';

describe('downloadFileName', () => {
  it.each([
    // The name's extension already fits the type: kept, whatever its spelling.
    ['scan.dcm', 'application/dicom', 'scan.dcm'],
    ['scan.DICOM', 'application/dicom', 'scan.DICOM'],
    ['photo.jpeg', 'image/jpeg', 'photo.jpeg'],
    ['photo.JPG', 'image/jpeg; charset=binary', 'photo.JPG'],
    ['brain.nii.gz', 'application/x-nifti', 'brain.nii.gz'],
    ['brain.nii', 'image/nifti', 'brain.nii'],
    ['table.csv', 'text/csv', 'table.csv'],
    // No extension, or one that belongs to another type: the type's extension is added.
    ['1.2.840.10008.5', 'application/dicom', '1.2.840.10008.5.dcm'],
    ['I0001', 'application/dicom', 'I0001.dcm'],
    ['frame.png', 'image/jpeg', 'frame.png.jpg'],
    ['notes', 'application/octet-stream', 'notes.bin'],
    ['notes', null, 'notes.bin'],
    // The type says nothing: the name's own extension stands.
    ['label.nrrd', 'application/octet-stream', 'label.nrrd'],
    ['label.nrrd', null, 'label.nrrd'],
    ['scan.nii.gz', undefined, 'scan.nii.gz'],
    // A type without a known extension adds nothing.
    ['volume.mha', 'application/x-metaimage', 'volume.mha'],
    ['volume', 'application/x-metaimage', 'volume'],
  ])('%s as %s is saved as %s', (name, mimetype, expected) => {
    expect(downloadFileName(name, mimetype)).toBe(expected);
  });
});
