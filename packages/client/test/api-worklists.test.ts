import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, ResourceNotFoundError, ValidationError, WorklistEntity } from '../src';
import { grayPng } from './helpers/images';
import type { RecordingProxy } from './helpers/recording-proxy';
import { type ApiHarness, startApiHarness } from './helpers/server';

let h: ApiHarness;
let proxy: RecordingProxy;
let api: Api;
let ids: string[];
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  h = await startApiHarness({ uploads: [0, 1].map((s) => ({ name: `w${s}.png`, data: grayPng(5, 4, s) })) });
  ({ proxy, api, ids } = h);
});
afterAll(async () => {
  await h?.close();
});

describe('api.annotationWorklists', () => {
  it('creates with only the given keys, gets, patches, and lists a project worklists', async () => {
    expect(api.annotationSets).toBe(api.annotationWorklists);
    proxy.take();
    const worklist = await api.annotationWorklists.create('Review', [ids[0]!, ids[1]!], {
      description: 'two',
      annotators: [{ email: 'tester@datamint.local', expertise_level: 'expert' }],
      imageLabels: ['ok'],
    });
    const post = proxy.take().find((r) => r.method === 'POST');
    expect(post?.url).toBe('/annotationsets');
    expect(post?.body.toString()).toBe(
      `{"name": "Review", "resource_ids": ["${ids[0]}", "${ids[1]}"], "description": "two", "annotators": [{"email": "tester@datamint.local", "expertise_level": "expert"}], "image_labels": ["ok"]}`,
    );
    expect(worklist).toBeInstanceOf(WorklistEntity);
    expect(worklist).toMatchObject({ name: 'Review', description: 'two' });
    expect(worklist.annotators.map((a) => a.email)).toEqual(['tester@datamint.local']);

    await api.annotationWorklists.patch(worklist, { name: 'Review 2' });
    expect(proxy.take()[0]).toMatchObject({
      method: 'PATCH',
      url: `/annotationsets/${worklist.id}`,
      json: { name: 'Review 2' },
    });
    expect((await api.annotationWorklists.getById(worklist.id)).name).toBe('Review 2');

    const project = await api.projects.create('WL project', { resources: [ids[0]!] });
    const ofProject = await api.annotationWorklists.getByProject(project);
    expect(ofProject.length).toBeGreaterThan(0);
    expect(ofProject.every((w) => w instanceof WorklistEntity && w.id.length > 0 && w.name.length > 0)).toBe(
      true,
    );
  });

  it('reports bad input and unknown ids', async () => {
    proxy.take();
    await expect(api.annotationWorklists.create(' ', [ids[0]!])).rejects.toBeInstanceOf(ValidationError);
    await expect(api.annotationWorklists.getById('x')).rejects.toBeInstanceOf(ValidationError);
    await expect(api.annotationWorklists.patch(MISSING, {})).rejects.toBeInstanceOf(ValidationError);
    expect(proxy.take()).toEqual([]);
    await expect(api.annotationWorklists.getById(MISSING)).rejects.toMatchObject({
      resourceType: 'annotation worklist',
      params: { id: MISSING },
    });
    await expect(api.annotationWorklists.patch(MISSING, { name: 'n' })).rejects.toBeInstanceOf(
      ResourceNotFoundError,
    );
    await expect(api.annotationWorklists.getByProject(MISSING)).rejects.toMatchObject({
      resourceType: 'project',
    });
  });
});
