import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Api,
  EntityAlreadyExistsError,
  ProjectEntity,
  ResourceEntity,
  ResourceNotFoundError,
  ValidationError,
} from '../src';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { type ApiHarness, startApiHarness } from './helpers/server';

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let ids: string[];
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  h = await startApiHarness({
    uploads: [0, 1, 2].map((s) => ({ name: `p${s}.png`, data: grayPng(5, 4, s) })),
  });
  ({ proxy, api, ids } = h);
});
afterAll(async () => {
  await h?.close();
});

describe('api.projects', () => {
  let project: ProjectEntity;

  it('creates with the platform body, refusing a taken name before posting', async () => {
    proxy.take();
    project = await api.projects.create('Lungs', {
      description: 'desc',
      resources: [ids[0]!],
      twoUpDisplay: true,
    });
    const reqs = proxy.take();
    expect(reqs[0]?.url).toBe('/projects?includeArchived=true&offset=0&limit=5000');
    const post = reqs.find((r) => r.method === 'POST');
    expect(post?.url).toBe('/projects');
    expect(post?.body.toString()).toBe(
      `{"name": "Lungs", "is_active_learning": false, "resource_ids": ["${ids[0]}"], "segmentationData": {"segmentationValueType": "single_label", "definitions": []}, "annotation_set": {"resource_ids": ["${ids[0]}"], "annotations": []}, "two_up_display": true, "require_review": false, "description": "desc"}`,
    );
    expect(project).toBeInstanceOf(ProjectEntity);
    expect(project).toMatchObject({ name: 'Lungs', description: 'desc', archived: false, resourceCount: 1 });
    await expect(api.projects.create('Lungs')).rejects.toBeInstanceOf(EntityAlreadyExistsError);
    expect(proxy.take().map((r) => r.method)).toEqual(['GET']);
    expect((await api.projects.create('Lungs', { existsOk: true })).id).toBe(project.id);
  });

  it('gets by id and by name, honouring includeArchived', async () => {
    expect((await api.projects.getById(project.id)).toJSON()).toMatchObject({
      id: project.id,
      dataset_id: expect.any(String),
    });
    await expect(api.projects.getById(MISSING)).rejects.toMatchObject({
      resourceType: 'project',
      params: { id: MISSING },
    });
    await expect(api.projects.getById('Lungs')).rejects.toBeInstanceOf(ValidationError);
    const archived = await api.projects.create('Old');
    proxy.take();
    await api.projects.patch(archived, { archived: true });
    expect(proxy.take()[0]).toMatchObject({
      method: 'PATCH',
      url: `/projects/${archived.id}`,
      json: { archived: true },
    });
    expect(await api.projects.getByName('Old', { includeArchived: false })).toBeUndefined();
    expect(proxy.take()[0]?.url).toBe('/projects?includeArchived=false&offset=0&limit=5000');
    expect((await api.projects.getByName('Old'))?.id).toBe(archived.id);
    expect((await api.projects.getAll().toArray()).map((p) => p.name).sort()).toEqual(['Lungs', 'Old']);
    expect((await api.projects.getList().toArray()).map((p) => p.name)).toEqual(['Lungs']);
    await api.projects.delete(archived);
    await expect(api.projects.getById(archived.id)).rejects.toBeInstanceOf(ResourceNotFoundError);
  });

  it('adds resources by project name or id and lists them', async () => {
    proxy.take();
    await api.projects.addResources('Lungs', [ids[1]!, ids[2]!]);
    const post = proxy.take().find((r) => r.method === 'POST');
    expect(post).toMatchObject({
      url: `/projects/${project.id}/resources`,
      json: { resource_ids_to_add: [ids[1], ids[2]], all_files_selected: false },
    });
    await expect(api.projects.addResources('Nope', [ids[0]!])).rejects.toMatchObject({
      resourceType: 'project',
      params: { name_or_id: 'Nope' },
    });
    // A UUID that is no project id is still looked up as a name.
    await expect(api.projects.addResources(MISSING, [ids[0]!])).rejects.toMatchObject({
      params: { name_or_id: MISSING },
    });
    const resources = await api.projects.getProjectResources(project).toArray();
    expect(resources[0]).toBeInstanceOf(ResourceEntity);
    expect(resources.map((r) => r.id).sort()).toEqual([...ids].sort());
  });

  it('sets work status and splits', async () => {
    proxy.take();
    await api.projects.setWorkStatus(project, ids[0]!, 'annotated');
    expect(proxy.take()[0]).toMatchObject({
      method: 'POST',
      url: `/projects/${project.id}/resources/${ids[0]}/status`,
      json: { status: 'annotated' },
    });
    await expect(api.projects.setWorkStatus(project, ids[0]!, 'done' as 'closed')).rejects.toBeInstanceOf(
      ValidationError,
    );
    await api.projects.assignSplits(project, [ids[0]!, ids[1]!], 'train');
    expect(proxy.take()[0]).toMatchObject({
      url: `/projects/${project.id}/splits`,
      json: { resource_ids: [ids[0], ids[1]], split_name: 'train' },
    });
    const splits = await api.projects.getSplits(project, { splitName: 'train' });
    expect(proxy.take()[0]?.url).toBe(`/projects/${project.id}/splits?split_name=train`);
    expect(splits.map((s) => s.resourceId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(splits[0]?.splitName).toBe('train');
  });
});
