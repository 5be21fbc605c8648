import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLabelTable, sniffSeparator, splitFields } from '../src/upload/label-table';
import { readSegmentationNames, SegmentationNamesError } from '../src/upload/segmentation-names';

describe('sniffSeparator', () => {
  it.each([
    [['1\t255\t0\t0\tMembrane'], '\t'],
    [['1,255,0,0,Membrane', '2,0,255,0,Nucleus'], ','],
    [['1;255;0;0;Membrane'], ';'],
    [['    1   255    0    0        1  1  1    "Label 1"'], 'whitespace'],
    // A comma inside a quoted name does not make the file comma-separated.
    [['1 255 0 0 1 1 1 "Femur, left"'], 'whitespace'],
    // A tab-separated file whose names hold commas is still tab-separated.
    [['1\t255\t0\t0\tFemur, left'], '\t'],
    // Every line must hold the separator: one comma line among spaced ones is not enough.
    [['1,Membrane', '2 Nucleus'], 'whitespace'],
    [[], 'whitespace'],
  ] as const)('%j → %j', (lines, separator) => {
    expect(sniffSeparator(lines)).toBe(separator);
  });
});

describe('splitFields', () => {
  it.each([
    ['1,255,0,0,Membrane', ',', ['1', '255', '0', '0', 'Membrane']],
    ['1, 255, 0, 0, Left femur', ',', ['1', '255', '0', '0', 'Left femur']],
    ['1,255,0,0,"Femur, left"', ',', ['1', '255', '0', '0', 'Femur, left']],
    ['1,"say ""hi"""', ',', ['1', 'say "hi"']],
    ['1,255,0,0,', ',', ['1', '255', '0', '0', '']],
    ['1\t255\t0\t0\tLeft femur', '\t', ['1', '255', '0', '0', 'Left femur']],
    ['1 \t "Left femur" ', '\t', ['1', 'Left femur']],
    ['1;2;3;4;Nucleus', ';', ['1', '2', '3', '4', 'Nucleus']],
    [
      '    1   255    0    0        1  1  1    "Label 1"',
      'whitespace',
      ['1', '255', '0', '0', '1', '1', '1', 'Label 1'],
    ],
    [
      '2 0 255 0 0.5 1 0 "Tibia \\"prox\\""',
      'whitespace',
      ['2', '0', '255', '0', '0.5', '1', '0', 'Tibia "prox"'],
    ],
    ['1 255 0 0 Membrane', 'whitespace', ['1', '255', '0', '0', 'Membrane']],
    ['1 ""', 'whitespace', ['1', '']],
    // Delimited files follow CSV: a backslash is a character (a Windows path), `""` a quote.
    ['1,"C:\\labels\\"', ',', ['1', 'C:\\labels\\']],
    ['1\t"C:\\labels"\t"a ""b"""', '\t', ['1', 'C:\\labels', 'a "b"']],
    // Space-separated (ITK-SNAP's) files also take `\"` for a quote; other backslashes stay.
    ['1 "C:\\labels \\"x\\""', 'whitespace', ['1', 'C:\\labels "x"']],
  ] as const)('%j split at %j', (line, separator, fields) => {
    expect(splitFields(line, separator)).toEqual({ fields });
  });

  it.each([
    ['1 "Label 1', 'whitespace', 'a double quote is not closed'],
    ['1,"Label 1', ',', 'a double quote is not closed'],
    ['1 "Label"1', 'whitespace', 'text after the closing quote of field 2'],
    ['1,"Label" 1,2', ',', 'text after the closing quote of field 2'],
  ] as const)('%j split at %j fails: %s', (line, separator, error) => {
    expect(splitFields(line, separator)).toEqual({ error });
  });
});

describe('parseLabelTable', () => {
  const itkSnap = [
    '################################################',
    '# ITK-SnAP Label Description File',
    '#    IDX   -R-  -G-  -B-  -A--  VIS MSH  LABEL',
    '################################################',
    '    0     0    0    0        0  0  0    "Clear Label"',
    '    1   255    0    0        1  1  1    "Label 1"',
    '    2     0  255    0      0.5  1  0    "Tibia \\"prox\\""',
    '',
  ].join('\n');

  it.each([
    ['ITK-SNAP, as it writes them', itkSnap, { 1: 'Label 1', 2: 'Tibia "prox"' }],
    ['ITK-SNAP with commas', '3,10,20,30,1,1,1,"Lesion"\r\n', { 3: 'Lesion' }],
    ['ITK-SNAP with an unquoted name', '1 255 0 0 1 1 1 Femur\n', { 1: 'Femur' }],
    ['value, colour, name', '1,255,0,0,Membrane\n2,0,255,0,Nucleus\n', { 1: 'Membrane', 2: 'Nucleus' }],
    [
      'tab-separated, names with spaces',
      '1\t255\t0\t0\tLeft femur\n2\t0\t255\t0\tRight femur\n',
      {
        1: 'Left femur',
        2: 'Right femur',
      },
    ],
    [
      'space-separated names with spaces',
      '1 255 0 0 Left Femur\n2 0 255 0 Right  Femur\n',
      { 1: 'Left Femur', 2: 'Right Femur' },
    ],
    ['space-separated, value and name', '1 Left Femur\n2 Tibia\n', { 1: 'Left Femur', 2: 'Tibia' }],
    [
      'space-separated, quoted and unquoted names',
      '1 255 0 0 "Left Femur"\n2 0 255 0 Right Femur\n',
      { 1: 'Left Femur', 2: 'Right Femur' },
    ],
    [
      'ITK-SNAP rows with names holding spaces and numbers',
      '1 255 0 0 1 1 1 "Left Femur"\n2 0 255 0 1 1 0 "Femur 2"\n',
      { 1: 'Left Femur', 2: 'Femur 2' },
    ],
    ['a loose row of 8 fields', '1 255 0 0 Left Femur Bone X\n', { 1: 'Left Femur Bone X' }],
    ['two labels of one name', '1 255 0 0 Femur\n2 0 255 0 Femur\n', { 1: 'Femur', 2: 'Femur' }],
    ['a Windows path in a CSV name', '1,255,0,0,"C:\\labels\\femur"\n', { 1: 'C:\\labels\\femur' }],
    ['semicolons', '1;255;0;0;Membrane\n', { 1: 'Membrane' }],
    ['quoted names holding the separator', '1,255,0,0,"Femur, left"\n', { 1: 'Femur, left' }],
    ['value and name only', '1,Membrane\n2,Nucleus\n', { 1: 'Membrane', 2: 'Nucleus' }],
    ['the last field is the name', '1,255,0,0,0.8,extra,Membrane\n', { 1: 'Membrane' }],
    [
      'a byte-order mark, comments and blank lines',
      '\uFEFF# labels\n\n1,255,0,0,Membrane\n  # more\n',
      {
        1: 'Membrane',
      },
    ],
    ['spaces around fields and names', ' 1 , 255 , 0 , 0 ,  Membrane  \n', { 1: 'Membrane' }],
    ['the background label 0 is left out', '0,0,0,0,Background\n1,255,0,0,Membrane\n', { 1: 'Membrane' }],
  ] as const)('reads %s', (_what, text, names) => {
    expect(parseLabelTable(text, 'labels.csv')).toEqual(names);
  });

  it.each([
    ['300 255 0 0 1 1 1 "Femur"\n', 'line 1: label index "300" is not an integer 0-255'],
    [
      'IDX,R,G,B,NAME\n1,255,0,0,Membrane\n',
      'line 1: label index "IDX" is not an integer 0-255 (a heading line must start with #)',
    ],
    ['1,255,0,0,Membrane\nx,0,255,0,Nucleus\n', 'line 2: label index "x" is not an integer 0-255'],
    ['1 255 0 0 1 1 1 "Femur"\n1 0 0 255 1 1 1 "Again"\n', 'line 2: label 1 is described twice'],
    ['1 255 0 256 1 1 1 "Femur"\n', 'line 1: colour B "256" is not an integer 0-255'],
    ['1,red,0,0,Membrane\n', 'line 1: colour R "red" is not an integer 0-255'],
    ['1 255 0 0 2 1 1 "Femur"\n', 'line 1: opacity "2" is not a number 0-1'],
    ['1 255 0 0 1 yes 1 "Femur"\n', 'line 1: VIS "yes" is not 0 or 1'],
    ['1 255 0 0 1 1 1 ""\n', 'line 1: label 1 has an empty name'],
    ['1,255,0,0,\n', 'line 1: label 1 has an empty name'],
    [
      '1,255,0,0,Femur\n2,0,255,0,Tibia, left\n',
      'line 2: 6 fields where line 1 has 5 (a name holding a comma must be in double quotes)',
    ],
    ['1 255 0 0 Femur\n2 Tibia\n', "line 2: the name starts at field 2 where line 1's starts at field 5"],
    ['1 255 0 Femur\n', 'line 1: expected R G B then the name after the label value, got "1 255 0 Femur"'],
    ['1 255 0 0 2 1 1 Femur\n', 'line 1: opacity "2" is not a number 0-1'],
    ['# ok\n1\n', 'line 2: expected a label value and a name'],
    ['1 255 0 0 1 1 1 "Femur\n', 'line 1: a double quote is not closed in "1 255 0 0 1 1 1 \\"Femur"'],
    ['# only comments\n0 0 0 0 0 0 0 "Clear Label"\n', 'no label lines'],
    ['', 'no label lines'],
  ] as const)('refuses %j: %s', (text, message) => {
    const error = (() => {
      try {
        parseLabelTable(text, 'labels.txt');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SegmentationNamesError);
    expect((error as Error).message).toContain(`--segmentation-names labels.txt: ${message}`);
  });
});

describe('names files by suffix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'datamint-cli-label-table-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it.each(['labels.csv', 'labels.tsv', 'labels.txt', 'labels.label', 'LABELS.TSV'])(
    'reads %s as a label table',
    async (name) => {
      const names = await readSegmentationNames(write(name, '1\t255\t0\t0\tMembrane\n'));
      expect(names).toEqual({ segmentationNames: null, classNames: { 1: 'Membrane' } });
    },
  );

  it.each(['names.yaml', 'names.yml'])('reads %s as YAML', async (name) => {
    const names = await readSegmentationNames(write(name, 'class_names: {1: Membrane}\n'));
    expect(names).toEqual({ segmentationNames: null, classNames: { 1: 'Membrane' } });
  });
});
