import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  datasetSchema,
  listOf,
  projectSchema,
  resourcePageSchema,
  resourceSchema,
  userSchema,
} from '../src/schemas/entities';
import { expectEntity } from './support/entities';
import { grayPng } from './support/images';
import { routeName, routeTable } from './support/routes';
import { KEY_A, KEY_B, send, startTestServer, type TestServer, uploadOk } from './support/server';

/** Every API-host route of the current SDK's checklist (V1–V56) in the server's path syntax. */
const CURRENT_PLATFORM_ROUTES = [
  'GET /projects',
  'POST /projects',
  'GET /projects/:project_id',
  'PATCH /projects/:project_id',
  'DELETE /projects/:project_id',
  'GET /projects/:project_id/resources',
  'POST /projects/:project_id/resources',
  'POST /projects/:project_id/resources/:resource_id/status',
  'GET /projects/:project_id/worklists',
  'GET /projects/:project_id/members',
  'POST /projects/:project_id/members/:user_id',
  'DELETE /projects/:project_id/members/:user_id',
  'GET /projects/:project_id/annotation-statuses',
  'GET /projects/:project_id/splits',
  'POST /projects/:project_id/splits',
  'GET /projects/:project_id/resources/:resource_id/split',
  'DELETE /projects/:project_id/resources/:resource_id/annotator/:email/status-reset',
  'GET /projects/:project_id/download-annotations',
  'GET /projects/:project_id/annotators-statistic',
  'GET /projects/:project_id/annotations-statistic',
  'GET /projects/:project_id/files-matrix-statistic',
  'GET /projects/:project_id/users/:email/status',
  'GET /projects/:project_id/reviewmessages',
  'GET /projects/:project_id/models',
  'POST /resources',
  'GET /resources',
  'GET /resources/not-annotated',
  'GET /resources/channels',
  'GET /resources/:resource_id',
  'DELETE /resources/:resource_id',
  'DELETE /resources',
  'GET /resources/:resource_id/file',
  'GET /resources/:resource_id/frames/:frame_index',
  'POST /resources/:resource_id/publish',
  'POST /resources/bulk-publish',
  'PUT /resources/:resource_id/tags',
  'PUT /resources/tags',
  'POST /annotations/search',
  'GET /annotations/:annotation_id',
  'PATCH /annotations/:annotation_id',
  'PATCH /annotations/:annotation_id/approve',
  'DELETE /annotations/:annotation_id',
  'POST /annotations/delete-batch',
  'POST /annotations/:resource_id/annotations',
  'POST /annotations/:resource_id/annotations/:annotation_id/file',
  'GET /annotations/:resource_id/annotations/:annotation_id/file',
  'POST /annotations/:resource_id/segmentations/file',
  'POST /annotationsets',
  'GET /annotationsets/:worklist_id',
  'PATCH /annotationsets/:worklist_id',
  'GET /annotationsets/:worklist_id/segmentation-group',
  'PUT /annotationsets/:worklist_id/segmentation-group',
  'DELETE /annotationsets/:worklist_id/segmentation-group/:identifier',
  'POST /annotationsets/:worklist_id/segmentation-group/upload',
  'GET /annotationsets/:worklist_id/users/:email',
  'GET /annotationsets/:worklist_id/resources/:resource_id/segmentations',
  'POST /annotationsets/:worklist_id/resources/:resource_id/segmentations',
  'GET /annotationsets/:worklist_id/resources/:resource_id/annotations',
  'GET /annotationsets/:worklist_id/resources/:resource_id/ai_segmentations',
  'POST /annotationsets/:worklist_id/resources/:resource_id/status',
  'DELETE /annotationsets/:worklist_id/resources/:resource_id/annotator/:email/status-reset',
  'POST /annotationsets/:worklist_id/annotators/:user_id',
  'DELETE /annotationsets/:worklist_id/annotators/:user_id',
  'POST /annotationsets/:worklist_id/resources',
  'GET /annotationsets/:worklist_id/annotation-statuses',
  'GET /annotationsets/:worklist_id/annotators-statistic',
  'GET /annotationsets/:worklist_id/annotations-statistic',
  'GET /annotationsets/:worklist_id/download-annotations',
  'GET /users',
  'POST /users',
  'GET /users/:email',
  'PATCH /users/:email',
  'DELETE /users/:email',
  'POST /users/invite',
  'GET /users/invitations',
  'DELETE /users/invitations/:email/revoke',
  'GET /datasets',
  'GET /datasets/:dataset_id',
  'DELETE /datasets/:dataset_id',
  'GET /datasets/:dataset_id/resources',
  'POST /datasets/:dataset_id/resources',
  'GET /datasets/:dataset_id/download/:format',
  'GET /datasets/download/:token',
];

describe('current platform API: authentication and entity shapes', () => {
  it('the route table holds every route of the current SDK checklist (V1–V56)', () => {
    const names = routeTable().map(routeName);
    for (const route of CURRENT_PLATFORM_ROUTES) expect(names, route).toContain(route);
  });

  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('authenticates with Authorization: Bearer as well as apikey (and both carrying one key)', async () => {
    const bearer = await send(`${server.url}/projects?offset=0&limit=1`, {
      key: null,
      headers: { authorization: `Bearer ${KEY_A}` },
    });
    expect(bearer.status).toBe(200);
    const both = await send(`${server.url}/users`, { headers: { authorization: `Bearer ${KEY_A}` } });
    expect(both.status).toBe(200);
    expect(both.json.map((u: { email: string }) => u.email)).toEqual(['alice@a.test']);
    const lowerCase = await send(`${server.url}/users`, {
      key: null,
      headers: { authorization: `bearer ${KEY_B}` },
    });
    expect(lowerCase.json.map((u: { email: string }) => u.email)).toEqual(['bob@b.test']);
    const mismatch = await send(`${server.url}/users`, { headers: { authorization: `Bearer ${KEY_B}` } });
    expect(mismatch.status).toBe(401);
    expect(mismatch.json).toEqual({ statusCode: 401, message: 'Unauthorized', error: 'Unauthorized' });
  });

  it('answers resources with a string upload_channel ("Unknown" without one) and a top-level totalCount', async () => {
    const plain = await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'a.png',
      mimetype: 'image/png',
    });
    await uploadOk(server.url, {
      bytes: grayPng(2, 2),
      filename: 'b.png',
      mimetype: 'image/png',
      fields: { channel: 'ch' },
    });
    const one = await send(`${server.url}/resources/${plain}`);
    expectEntity(one.json, resourceSchema);
    expect(one.json.upload_channel).toBe('Unknown');
    expect(one.json.metadata).toEqual({});
    const list = await send(`${server.url}/resources?status=&offset=0&limit=5000`);
    expectEntity(list.json, resourcePageSchema);
    expect(list.json.totalCount).toBe(2);
    expect(list.json.data[0].totalCount).toBe(2);
    expect(
      list.json.data[0].resources.map((r: { upload_channel: string }) => r.upload_channel).sort(),
    ).toEqual(['Unknown', 'ch']);
    const byChannel = await send(`${server.url}/resources?status=&channel_name=Unknown`);
    expect(byChannel.json.data[0].resources.map((r: { id: string }) => r.id)).toEqual([plain]);
  });

  it('lists projects with totalCount, offset/limit, and archived ones only with includeArchived=true', async () => {
    const ids: string[] = [];
    for (const name of ['P1', 'P2', 'P3']) {
      const created = await send(`${server.url}/projects`, {
        method: 'POST',
        json: { name, description: null },
      });
      expect(created.status).toBe(201);
      expectEntity(created.json, projectSchema);
      expect(created.json.archived).toBe(false);
      expect(created.json.description).toBeNull();
      ids.push(created.json.id);
    }
    const archived = await send(`${server.url}/projects/${ids[1]}`, {
      method: 'PATCH',
      json: { archived: true },
    });
    expect(archived.status).toBe(200);
    expect(archived.json.archived).toBe(true);
    const visible = await send(`${server.url}/projects`);
    expectEntity(visible.json, listOf(projectSchema));
    expect(visible.json.data.map((p: { name: string }) => p.name)).toEqual(['P1', 'P3']);
    expect(visible.json.totalCount).toBe(2);
    for (const flag of ['true', 'True']) {
      const all = await send(`${server.url}/projects?includeArchived=${flag}&offset=0&limit=5000`);
      expect(all.json.data.map((p: { name: string }) => p.name)).toEqual(['P1', 'P2', 'P3']);
    }
    const page = await send(`${server.url}/projects?includeArchived=true&offset=1&limit=1`);
    expect(page.json.data.map((p: { name: string }) => p.name)).toEqual(['P2']);
    expect(page.json.totalCount).toBe(3);
    const first = await send(`${server.url}/projects?offset=0&limit=1`);
    expect(first.json.data).toHaveLength(1);
  });

  it('patches projects: description, pinned metrics, unknown keys kept; bad fields 400, taken names 409', async () => {
    const created = (await send(`${server.url}/projects`, { method: 'POST', json: { name: 'Patchable' } }))
      .json;
    const patched = await send(`${server.url}/projects/${created.id}`, {
      method: 'PATCH',
      json: { description: 'now described', pinned_metrics: ['dice'], color: 'blue', id: 'ignored' },
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({
      id: created.id,
      description: 'now described',
      pinned_metrics: ['dice'],
      color: 'blue',
    });
    expect((await send(`${server.url}/projects/${created.id}`)).json.pinned_metrics).toEqual(['dice']);
    const bad = await send(`${server.url}/projects/${created.id}`, {
      method: 'PATCH',
      json: { archived: 'yes' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('archived');
    expect(bad.json.error).toBe('Bad Request');
    const taken = await send(`${server.url}/projects/${created.id}`, {
      method: 'PATCH',
      json: { name: 'P1' },
    });
    expect(taken.status).toBe(409);
    const otherCustomer = await send(`${server.url}/projects/${created.id}`, {
      method: 'PATCH',
      json: { description: 'x' },
      key: KEY_B,
    });
    expect(otherCustomer.status).toBe(404);
    expect(otherCustomer.json.message).toBe('Project not found');
  });

  it('answers datasets with a string description and users as full objects, both paged', async () => {
    const datasets = await send(`${server.url}/datasets?offset=0&limit=2`);
    expectEntity(datasets.json, listOf(datasetSchema));
    expect(datasets.json.data).toHaveLength(2);
    expect(datasets.json.totalCount).toBeGreaterThanOrEqual(4);
    expect(datasets.json.data[0].description).toBe('');
    const next = await send(`${server.url}/datasets?offset=2&limit=2`);
    expect(next.json.data[0].id).not.toBe(datasets.json.data[0].id);
    await send(`${server.url}/users`, {
      method: 'POST',
      json: { email: 'carol@a.test', password: null, firstname: null, lastname: null, roles: ['admin'] },
    });
    const users = await send(`${server.url}/users?offset=0&limit=5000`);
    expectEntity(users.json, { type: 'array', items: userSchema });
    const second = await send(`${server.url}/users?offset=1&limit=1`);
    expect(second.json.map((u: { email: string }) => u.email)).toEqual(['carol@a.test']);
  });
});
