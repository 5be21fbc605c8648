import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mimetypeByName } from '../src/file-types';
import { resolveMimetype, sniffMimetype } from '../src/upload/mimetype';
import { dataDir, requireData } from './helpers/data';

describe('mimetype detection', () => {
  it('recognises generated signatures', () => {
    const dicom = new Uint8Array(200);
    dicom.set([0x44, 0x49, 0x43, 0x4d], 128);
    expect(sniffMimetype(dicom)).toBe('application/dicom');
    expect(sniffMimetype(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    const mp4 = new TextEncoder().encode('\0\0\0\x18ftypisom');
    expect(sniffMimetype(mp4)).toBe('video/mp4');
    const nifti = new Uint8Array(352);
    new DataView(nifti.buffer).setInt32(0, 348, true);
    nifti.set(new TextEncoder().encode('n+1\0'), 344);
    expect(sniffMimetype(nifti)).toBe('application/x-nifti');
    expect(sniffMimetype(new TextEncoder().encode('hello'))).toBeUndefined();
  });

  /** `text` (\xNN escapes allowed) at `offset` in `length` zero bytes, with an int32 at 0 when given. */
  const head = (parts: [number, string][], length = 600, int0?: [number, boolean]) => {
    const bytes = new Uint8Array(length);
    for (const [offset, text] of parts) {
      bytes.set(
        Uint8Array.from(text, (c) => c.charCodeAt(0)),
        offset,
      );
    }
    if (int0) new DataView(bytes.buffer).setInt32(0, int0[0], int0[1]);
    return bytes;
  };

  it.each([
    ['png', head([[0, '\x89PNG\r\n\x1a\n']]), 'image/png'],
    ['gif', head([[0, 'GIF89a']]), 'image/gif'],
    ['tiff, little-endian', head([[0, 'II*\0']]), 'image/tiff'],
    ['tiff, big-endian', head([[0, 'MM\0*']]), 'image/tiff'],
    ['quicktime', head([[4, 'ftypqt  ']]), 'video/quicktime'],
    ['webm', head([[0, '\x1a\x45\xdf\xa3']]), 'video/webm'],
    [
      'avi',
      head([
        [0, 'RIFF'],
        [8, 'AVI '],
      ]),
      'video/x-msvideo',
    ],
    [
      'riff that is not avi',
      head([
        [0, 'RIFF'],
        [8, 'WAVE'],
      ]),
      undefined,
    ],
    ['nifti-1, big-endian', head([[344, 'ni1\0']], 600, [348, false]), 'application/x-nifti'],
    ['nifti-1 size without magic', head([[344, 'xx1\0']], 600, [348, true]), undefined],
    ['nifti-2, little-endian', head([[4, 'n+2\0']], 600, [540, true]), 'application/x-nifti'],
    ['nifti-2, big-endian', head([[4, 'ni2\0']], 600, [540, false]), 'application/x-nifti'],
    ['negative int32 at 0', head([], 600, [-348, true]), undefined],
    ['DICM cut short', head([[128, 'DIC']], 131), undefined],
    ['empty', new Uint8Array(0), undefined],
  ] as const)('%s', (_, bytes, type) => {
    expect(sniffMimetype(bytes)).toBe(type);
  });

  it('prefers explicit, then content, then a fixed extension table', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(resolveMimetype(sniffMimetype(png), 'x.jpg')).toBe('image/png');
    expect(resolveMimetype(sniffMimetype(png), 'x.jpg', 'image/x-custom')).toBe('image/x-custom');
    expect(resolveMimetype(sniffMimetype(new Uint8Array([0x1f, 0x8b])), 'brain.nii.gz')).toBe(
      'application/x-nifti',
    );
    expect(mimetypeByName('a/b.DCM')).toBe('application/dicom');
    expect(mimetypeByName('noext')).toBeUndefined();
    expect(resolveMimetype(sniffMimetype(new Uint8Array(4)), 'file.xyz')).toBeUndefined();
  });

  it.skipIf(!requireData())('detects the real files of ../shared/data by content', () => {
    const head = (p: string) => readFileSync(`${dataDir}/${p}`).subarray(0, 600);
    expect(sniffMimetype(head('dicom/ts/MR_small.dcm'))).toBe('application/dicom');
    expect(sniffMimetype(head('nifti/avg152T1_LR_nifti.nii'))).toBe('application/x-nifti');
    // Big-endian header.
    expect(sniffMimetype(head('nifti/anatomical.nii'))).toBe('application/x-nifti');
  });
});
