import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SegmentationFiles } from '@datamint/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  parseExtensionList,
  parseMungFilename,
  parseRetainAttribute,
  rewriteRecursiveDepth,
} from '../src/commands/upload-options';
import { UsageError } from '../src/errors';
import { maskFolderFor, maskLocator } from '../src/upload/masks';
import {
  namesForMask,
  parseSegmentationNames,
  readSegmentationNames,
  SegmentationNamesError,
} from '../src/upload/segmentation-names';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'datamint-upload-options-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function touch(path: string, content: string | Uint8Array = 'data'): string {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, content);
  return full;
}

/** The locator's answer as rows of [path below root, frame, names]. */
function rows(found: SegmentationFiles | undefined): unknown[] {
  if (!found) return [];
  const spec = found as { files: string[]; frameIndex: (number | undefined)[]; names: unknown[] };
  return spec.files.map((f, i) => [f.slice(root.length + 1), spec.frameIndex[i], spec.names[i]]);
}

describe('extension lists', () => {
  it('parses space- and comma-separated lists with optional dots', () => {
    expect(parseExtensionList(['dcm,.PNG', 'nii.gz'], '--include-extensions')).toEqual([
      'dcm',
      'png',
      'nii.gz',
    ]);
    expect(parseExtensionList(['dcm png'], '--exclude-extensions')).toEqual(['dcm', 'png']);
    expect(() => parseExtensionList([','], '--include-extensions')).toThrow(UsageError);
    expect(() => parseExtensionList(['a/b'], '--include-extensions')).toThrow(/not a file extension/);
  });
});

describe('segmentation matching', () => {
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
    const warnings: string[] = [];
    const locator = await maskLocator(join(root, 'segs'), parsed, (m) => warnings.push(m));
    expect(await locator.find(img3)).toBeUndefined();
    expect(rows(await locator.find(img1))).toEqual([
      ['segs/case1/BML.nii', undefined, { 1: 'BML_Femur', 2: 'BML_Tibia', default: 'BML' }],
      ['segs/case1/Bones_mask.nii.gz', undefined, { 1: 'Bones_Femur', 2: 'Bones_Tibia', default: 'Bones' }],
    ]);
    expect(rows(await locator.find(img2))).toEqual([
      ['segs/case2/img2/3.png', 3, undefined],
      ['segs/case2/img2/other.png', undefined, undefined],
    ]);
    // No name occurs in case2's mask paths: one warning for their folder, counting them, and saying
    // what their labels are called.
    expect(warnings).toEqual([
      `no segmentation name from --segmentation-names occurs in the 2 masks in ${join(root, 'segs/case2/img2')}: each mask's labels are named "seg" when it holds one label value, "seg_<value>" ("seg_1", "seg_2", …) when it holds several`,
    ]);
    expect(locator.matched()).toBe(2);
  });

  it('prefers masks named like the image in a shared folder', async () => {
    const a = touch('images/case1/a.png');
    const b = touch('images/case1/b.png');
    touch('segs/case1/a.png');
    touch('segs/case1/b.png');
    const locator = await maskLocator(join(root, 'segs'), null, () => {});
    expect(rows(await locator.find(a))).toEqual([['segs/case1/a.png', undefined, undefined]]);
    expect(rows(await locator.find(b))).toEqual([['segs/case1/b.png', undefined, undefined]]);
  });

  it('gives a single mask file to the image, and refuses a missing mask path', async () => {
    const img = touch('x.png');
    const mask = touch('m.nii.gz');
    const locator = await maskLocator(mask, null, () => {});
    expect(rows(await locator.find(img))).toEqual([['m.nii.gz', undefined, undefined]]);
    await expect(maskLocator(join(root, 'missing'), null, () => {})).rejects.toThrow(
      /--segmentation-path not found/,
    );
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

describe('ITK-SNAP label description files as --segmentation-names', () => {
  const write = (name: string, text: string) => {
    const file = join(root, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads label names by value from .txt and .csv, skipping comments and the clear label', async () => {
    const text = [
      '################################################',
      '# ITK-SnAP Label Description File',
      '#    IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL',
      '################################################',
      '    0     0    0    0        0  0  0    "Clear Label"',
      '    1   255    0    0        1  1  1    "Left femur"',
      '    2     0  255    0      0.5  1  0    "Tibia \\"prox\\""',
      '',
    ].join('\n');
    for (const name of ['labels.txt', 'labels.csv']) {
      const names = await readSegmentationNames(write(name, text));
      expect(names).toEqual({ segmentationNames: null, classNames: { 1: 'Left femur', 2: 'Tibia "prox"' } });
      expect(namesForMask('case1/mask.nii', names)).toEqual({ 1: 'Left femur', 2: 'Tibia "prox"' });
    }
    const commas = await readSegmentationNames(write('commas.csv', '3,10,20,30,1,1,1,"Lesion"\r\n'));
    expect(commas.classNames).toEqual({ 3: 'Lesion' });
  });

  it('refuses a bad line with a SegmentationNamesError naming the file and the line', async () => {
    const cases: [string, RegExp][] = [
      ['1,255,0,0,Femur\n2,0,255,0,Tibia, left\n', /line 2: 6 fields where line 1 has 5/],
      ['# ok\n300 255 0 0 1 1 1 "Femur"\n', /line 2: label index "300" is not an integer 0-255/],
      ['1 255 0 0 1 1 1 "Femur"\n1 0 0 255 1 1 1 "Again"\n', /line 2: label 1 is described twice/],
      ['1 255 0 256 1 1 1 "Femur"\n', /line 1: colour B "256" is not an integer 0-255/],
      ['1 255 0 0 2 1 1 "Femur"\n', /line 1: opacity "2" is not a number 0-1/],
      ['1 255 0 0 1 yes 1 "Femur"\n', /line 1: VIS "yes" is not 0 or 1/],
      ['1 255 0 0 1 1 1 ""\n', /line 1: label 1 has an empty name/],
      ['# only comments\n0 0 0 0 0 0 0 "Clear Label"\n', /no label lines/],
    ];
    for (const [i, [text, message]] of cases.entries()) {
      const file = write(`bad-${i}.txt`, text);
      const error = await readSegmentationNames(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SegmentationNamesError);
      expect((error as SegmentationNamesError).file).toBe(file);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toContain(file);
    }
  });
});
