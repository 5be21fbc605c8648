import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  parseMungFilename,
  parseRetainAttribute,
  rewriteRecursiveDepth,
} from '../src/commands/upload-options';
import { extensionMatches, fileExtension, parseExtensionList } from '../src/discovery/extensions';
import { fnmatch } from '../src/discovery/fnmatch';
import { namesForMask, parseSegmentationNames } from '../src/discovery/names';
import { findSegmentations, maskFolderFor } from '../src/discovery/segmentations';
import { pairJsonSidecars, sidecarPathFor } from '../src/discovery/sidecars';
import { isSystemDirectory, isSystemFile } from '../src/discovery/system-files';
import { discoverFiles } from '../src/discovery/walk';
import { UsageError } from '../src/errors';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'datamint-discovery-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function touch(path: string, content: string | Uint8Array = 'data'): string {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  return full;
}

const names = (files: { path: string }[]): string[] => files.map((f) => f.path.slice(root.length + 1));

describe('extensions', () => {
  it('treats .nii.gz as one extension and ignores a hidden-file dot', () => {
    expect(fileExtension('scan.nii.gz')).toBe('nii.gz');
    expect(fileExtension('A.DCM')).toBe('dcm');
    expect(fileExtension('I10')).toBe('');
    expect(fileExtension('.bashrc')).toBe('');
    expect(fileExtension('archive.tar.gz')).toBe('tar.gz');
    expect(fileExtension('x.gz')).toBe('gz');
  });

  it('parses lists with commas and optional dots, and matches at dot boundaries', () => {
    expect(parseExtensionList(['dcm,.PNG', 'nii.gz'], '--include-extensions')).toEqual([
      'dcm',
      'png',
      'nii.gz',
    ]);
    expect(() => parseExtensionList([','], '--include-extensions')).toThrow(UsageError);
    expect(() => parseExtensionList(['a/b'], '--include-extensions')).toThrow(/not a file extension/);
    expect(extensionMatches('nii.gz', 'nii.gz')).toBe(true);
    expect(extensionMatches('nii.gz', 'gz')).toBe(true);
    expect(extensionMatches('nii.gz', 'nii')).toBe(false);
    expect(extensionMatches('png', 'g')).toBe(false);
  });

  it('recognises system files and folders', () => {
    for (const n of ['.DS_Store', 'Thumbs.db', 'x.pyc', '~lock', '._x.dcm', 'a.tmp'])
      expect(isSystemFile(n)).toBe(true);
    for (const n of ['__MACOSX', '$RECYCLE.BIN', 'System Volume Information', '.git', '__pycache__']) {
      expect(isSystemDirectory(n)).toBe(true);
    }
    expect(isSystemFile('scan.dcm')).toBe(false);
  });

  it('matches shell patterns like fnmatch', () => {
    expect(fnmatch('tmp_cache', 'tmp*')).toBe(true);
    expect(fnmatch('case1', 'case?')).toBe(true);
    expect(fnmatch('case10', 'case?')).toBe(false);
    expect(fnmatch('b', '[!a]')).toBe(true);
    expect(fnmatch('a.b', 'a?b')).toBe(true);
    expect(fnmatch('axb', 'a.b')).toBe(false);
  });
});

describe('discoverFiles', () => {
  beforeEach(() => {
    touch('top.dcm');
    touch('notes.txt');
    touch('vol.nii.gz');
    touch('empty.png', 'ab');
    touch('.DS_Store');
    touch('sub/a.png');
    touch('sub/deeper/b.png');
    touch('sub/__MACOSX/c.png');
    touch('skipme/d.png');
  });

  it('stays in the folder without -r and reports what it skipped', async () => {
    const result = await discoverFiles([root], { depth: 0 });
    expect(names(result.files)).toEqual(['notes.txt', 'top.dcm', 'vol.nii.gz']);
    const reasons = Object.fromEntries(result.skipped.map((s) => [s.path.slice(root.length + 1), s.reason]));
    expect(reasons).toMatchObject({ '.DS_Store': 'system file', 'empty.png': 'empty', sub: 'too deep' });
  });

  it('limits recursion depth and excludes directories by pattern', async () => {
    const one = await discoverFiles([root], { depth: 1, excludeDirs: ['skip*'] });
    expect(names(one.files)).toEqual(['notes.txt', 'sub/a.png', 'top.dcm', 'vol.nii.gz']);
    const all = await discoverFiles([root], { depth: Number.POSITIVE_INFINITY, excludeDirs: ['skip*'] });
    expect(names(all.files)).toContain('sub/deeper/b.png');
    expect(names(all.files)).not.toContain('sub/__MACOSX/c.png');
    expect(names(all.files)).not.toContain('skipme/d.png');
  });

  it('filters by extension with nii.gz as one extension', async () => {
    const inc = await discoverFiles([root], { depth: 9, includeExtensions: ['nii.gz', 'dcm'] });
    expect(names(inc.files)).toEqual(
      ['skipme/d.png', 'top.dcm', 'vol.nii.gz'].filter((n) => !n.endsWith('png')),
    );
    const exc = await discoverFiles([root], { depth: 9, excludeExtensions: ['png', 'txt'] });
    expect(names(exc.files)).toEqual(['top.dcm', 'vol.nii.gz']);
    await expect(
      discoverFiles([root], { depth: 0, includeExtensions: ['a'], excludeExtensions: ['b'] }),
    ).rejects.toThrow(UsageError);
  });

  it('keeps explicitly named files and rejects missing paths', async () => {
    const result = await discoverFiles([join(root, 'empty.png'), join(root, 'top.dcm')], { depth: 0 });
    expect(names(result.files)).toEqual(['empty.png', 'top.dcm']);
    await expect(discoverFiles([join(root, 'nope')], { depth: 0 })).rejects.toThrow(/path not found/);
  });
});

describe('JSON sidecars', () => {
  it('pairs X.json with X.nii and X.nii.gz and removes it from the upload list', async () => {
    touch('a.nii.gz');
    touch('a.json', '{"Modality":"MR"}');
    touch('b.nii');
    touch('b.json', '{}');
    touch('c.json', '{"a": 1}');
    expect(sidecarPathFor('/x/a.nii.gz')).toBe('/x/a.json');
    const { files } = await discoverFiles([root], { depth: 0 });
    const paired = pairJsonSidecars(files);
    expect(names(paired.files)).toEqual(['a.nii.gz', 'b.nii', 'c.json']);
    expect(paired.metadata.get(join(root, 'a.nii.gz'))).toBe(join(root, 'a.json'));
    expect(paired.metadata.get(join(root, 'b.nii'))).toBe(join(root, 'b.json'));
  });
});

describe('segmentation matching (http-api.md §6.1.3)', () => {
  it('computes the mask folder from the common ancestor', () => {
    expect(maskFolderFor('/R/images/case1/img1.png', '/R/segs')).toBe('/R/segs/case1');
    expect(maskFolderFor('/data/dicoms/case1/s1/IM1', '/data/segmentations')).toBe(
      '/data/segmentations/case1/s1',
    );
    expect(maskFolderFor('/R/img1.png', '/R/segs')).toBe('/R/segs');
  });

  it('finds masks per folder, then per image stem, with names and frame indexes', async () => {
    const img1 = touch('images/case1/img1.png');
    const img2 = touch('images/case2/img2.png');
    const img3 = touch('images/case3/img3.png');
    touch('segs/case1/Bones_mask.nii.gz');
    touch('segs/case1/BML.nii');
    touch('segs/case2/img2/3.png');
    touch('segs/case2/img2/other.png');
    const parsed = parseSegmentationNames(
      'segmentation_names: ["Bones", "BoneHead", "BML"]\nclass_names: {1: "Femur", 2: "Tibia"}\n',
      'names.yaml',
    );
    const { masks, warnings } = await findSegmentations([img1, img2, img3], join(root, 'segs'), parsed);
    // No name occurs in case2's mask paths: one warning per file, naming it (Python printed the last tried name).
    expect(warnings.map((w) => w.path.slice(root.length + 1))).toEqual([
      'segs/case2/img2/3.png',
      'segs/case2/img2/other.png',
    ]);
    expect(masks.has(img3)).toBe(false);
    expect(masks.get(img1)).toEqual([
      {
        path: join(root, 'segs/case1/BML.nii'),
        frameIndex: null,
        names: { 1: 'BML_Femur', 2: 'BML_Tibia', default: 'BML' },
      },
      {
        path: join(root, 'segs/case1/Bones_mask.nii.gz'),
        frameIndex: null,
        names: { 1: 'Bones_Femur', 2: 'Bones_Tibia', default: 'Bones' },
      },
    ]);
    const second = masks.get(img2)!;
    expect(second.map((m) => [m.path.slice(root.length + 1), m.frameIndex, m.names])).toEqual([
      ['segs/case2/img2/3.png', 3, null],
      ['segs/case2/img2/other.png', null, null],
    ]);
  });

  it('prefers masks named like the image in a shared folder', async () => {
    const a = touch('images/case1/a.png');
    const b = touch('images/case1/b.png');
    touch('segs/case1/a.png');
    touch('segs/case1/b.png');
    const { masks } = await findSegmentations([a, b], join(root, 'segs'), null);
    expect(masks.get(a)!.map((m) => m.path)).toEqual([join(root, 'segs/case1/a.png')]);
    expect(masks.get(b)!.map((m) => m.path)).toEqual([join(root, 'segs/case1/b.png')]);
  });

  it('pairs a single image with a single mask file, and refuses one mask for many images', async () => {
    const img = touch('x.png');
    const mask = touch('m.nii.gz');
    const { masks } = await findSegmentations([img], mask, null);
    expect(masks.get(img)![0]!.path).toBe(mask);
    await expect(findSegmentations([img, touch('y.png')], mask, null)).rejects.toThrow(UsageError);
  });

  it('validates the names YAML with messages naming the file and field', () => {
    expect(() => parseSegmentationNames('class_names: {zero: x}', 'n.yaml')).toThrow(
      /n\.yaml.*class_names key "zero"/,
    );
    expect(() => parseSegmentationNames('segmentation_names: Bones', 'n.yaml')).toThrow(
      /list of non-empty strings/,
    );
    expect(() => parseSegmentationNames('foo: 1', 'n.yaml')).toThrow(/unknown key "foo"/);
    expect(() => parseSegmentationNames('[1', 'n.yaml')).toThrow(/not valid YAML/);
    const classesOnly = parseSegmentationNames('class_names: {1: Femur}', 'n.yaml');
    expect(namesForMask('any.nii', classesOnly)).toEqual({ 1: 'Femur' });
    const shortestFirst = parseSegmentationNames('segmentation_names: [BoneHead, Bone]', 'n.yaml');
    expect(namesForMask('case/BoneHead.nii', shortestFirst)).toBe('Bone');
  });
});

describe('upload option parsing', () => {
  it('parses --mungfilename like the Python tool but rejects 0 and negatives', () => {
    expect(parseMungFilename('ALL')).toBe('all');
    expect(parseMungFilename('2, 1')).toEqual([2, 1]);
    expect(() => parseMungFilename('0')).toThrow(UsageError);
    expect(() => parseMungFilename('x')).toThrow(/--mungfilename "x"/);
  });

  it('parses --retain-attribute in every Python spelling', () => {
    expect(parseRetainAttribute('(0x0008, 0x0050)')).toBe(0x00080050);
    expect(parseRetainAttribute('0008,0050')).toBe(0x00080050);
    expect(() => parseRetainAttribute('zz')).toThrow(UsageError);
  });

  it('turns -r N into --depth N', () => {
    expect(rewriteRecursiveDepth(['upload', 'd', '-r', '2'])).toEqual(['upload', 'd', '--depth', '2']);
    expect(rewriteRecursiveDepth(['upload', '-r', 'd'])).toEqual(['upload', '-r', 'd']);
    expect(rewriteRecursiveDepth(['upload', '--recursive=3', 'd'])).toEqual(['upload', '--depth', '3', 'd']);
  });
});
