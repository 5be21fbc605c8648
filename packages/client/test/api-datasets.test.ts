import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ConflictError, DatasetEntity, ResourceNotFoundError, ValidationError } from '../src';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { type ApiHarness, startApiHarness } from './helpers/server';

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let ids: string[];
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  h = await startApiHarness({ uploads: [0, 1].map((s) => ({ name: `d${s}.png`, data: grayPng(5, 4, s) })) });
  ({ proxy, api, ids } = h);
});
afterAll(async () => {
  await h?.close();
});

describe('api.datasets', () => {
  it('lists, gets, adds and removes resources, deletes', async () => {
    const project = await api.projects.create('DS', { resources: [ids[0]!] });
    const datasets = await api.datasets.getList().toArray();
    expect(datasets.map((d) => d.id)).toContain(project.datasetId);
    const dataset = await api.datasets.getById(project.datasetId);
    expect(dataset).toBeInstanceOf(DatasetEntity);
    expect(dataset.resourceIds).toEqual([ids[0]]);
    proxy.take();
    await api.datasets.updateResources(dataset, { add: [ids[1]!], remove: [ids[0]!] });
    expect(proxy.take()[0]).toMatchObject({
      method: 'POST',
      url: `/datasets/${dataset.id}/resources`,
      json: { all_files_selected: false, resource_ids_to_add: [ids[1]], resource_ids_to_delete: [ids[0]] },
    });
    expect((await api.datasets.getById(dataset.id)).resourceIds).toEqual([ids[1]]);
    await expect(api.datasets.updateResources(dataset, {})).rejects.toBeInstanceOf(ValidationError);
    // A project's dataset goes with its project: the server answers 409, a typed ConflictError.
    await expect(api.datasets.delete(dataset)).rejects.toBeInstanceOf(ConflictError);
    await expect(api.datasets.getById(MISSING)).rejects.toMatchObject({
      resourceType: 'dataset',
      params: { id: MISSING },
    });
    await expect(api.datasets.delete(MISSING)).rejects.toBeInstanceOf(ResourceNotFoundError);
  });
});
