import { encodeQuery } from '@datamint/core/internal';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ResourceFields, ResourceStatus } from '../src';
import { expandFrames } from '../src/annotations';
import { ValidationError } from '../src/errors';
import { resourcesQuery } from '../src/resources';

describe('getResources query (http-api.md §4.9)', () => {
  it('defaults to the Python query', () => {
    expect(encodeQuery({ ...resourcesQuery({}, () => {}), offset: 0, limit: 5000 })).toBe(
      'status=&ids=False&offset=0&limit=5000',
    );
  });

  it('encodes every filter exactly as the Python SDK', () => {
    const query = resourcesQuery(
      {
        fromDate: '2024-01-02',
        toDate: new Date(Date.UTC(2024, 1, 3)),
        status: 'inbox',
        modality: 'CT',
        mimetype: 'application/dicom',
        returnIdsOnly: true,
        orderField: 'created_at',
        orderAscending: false,
        channel: 'ch',
        projectId: 'proj-1',
        filename: 'f.dcm',
        projectName: 'TestProject',
        tags: ['t 1', 't2'],
      },
      () => {},
    );
    expect(encodeQuery({ ...query, offset: 0, limit: 5000 })).toBe(
      'from=2024-01-02&to=2024-02-03&status=inbox&modality=CT&mimetype=application%2Fdicom' +
        '&ids=True&order_field=created_at&order_by_asc=False&channel_name=ch&projectId=proj-1&filename=f.dcm' +
        '&project=%7B%22items%22%3A+%5B%22TestProject%22%5D%2C+%22filterType%22%3A+%22union%22%7D' +
        '&tags=%7B%22items%22%3A+%5B%22t+1%22%2C+%22t2%22%5D%2C+%22filterType%22%3A+%22union%22%7D' +
        '&offset=0&limit=5000',
    );
  });

  it('accepts deprecated labels with a warning, and validates enums and dates', () => {
    const warnings: string[] = [];
    const query = resourcesQuery({ labels: 'x' }, (m) => warnings.push(m));
    expect(query.tags).toBe('{"items": ["x"], "filterType": "union"}');
    expect(warnings[0]).toMatch(/labels.*deprecated/);
    const bad = (o: object) => () => resourcesQuery(o, () => {});
    expect(bad({ status: 'done' })).toThrow(/Invalid status: got "done"/);
    expect(bad({ orderField: 'size' })).toThrow(ValidationError);
    expect(bad({ fromDate: 'yesterday' })).toThrow(/fromDate/);
  });
});

describe('frame selections', () => {
  it('expands numbers, lists and inclusive ranges', () => {
    expect(expandFrames(3)).toEqual([3]);
    expect(expandFrames([4, 1])).toEqual([4, 1]);
    expect(expandFrames({ from: 2, to: 4 })).toEqual([2, 3, 4]);
  });
  it('rejects reversed ranges and bad indexes, naming the field', () => {
    expect(() => expandFrames({ from: 4, to: 2 })).toThrow(/frameIndex.*from <= to/);
    expect(() => expandFrames(-1)).toThrow(/Invalid frameIndex: got -1/);
    expect(() => expandFrames([0, 1.5])).toThrow(/frameIndex\[1\]/);
  });
});

describe('exported type aliases', () => {
  it('ResourceStatus and ResourceFields are the Python literals (checked by typecheck)', () => {
    expectTypeOf<ResourceStatus>().toEqualTypeOf<'new' | 'inbox' | 'published' | 'archived'>();
    expectTypeOf<ResourceFields>().toEqualTypeOf<
      'modality' | 'created_by' | 'published_by' | 'published_on' | 'filename' | 'created_at'
    >();
  });
});
