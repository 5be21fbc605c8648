import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../src/context';
import { registerRoutes } from '../../src/routes';
import { grayPng } from './images';
import { aiohttpMultipart } from './multipart';
import { makeNifti } from './nifti';
import type { send } from './server';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: Method;
  /** Fastify pattern, e.g. `/resources/:resource_id/file`. */
  path: string;
  /** Path parameter names in order of appearance. */
  params: string[];
}

/**
 * The server's real route table, read by running `registerRoutes` against a recorder instead of
 * fastify. Tests loop over it so that a route added later is covered without editing the tests.
 */
export function routeTable(): RouteSpec[] {
  const routes: RouteSpec[] = [];
  const record = (method: Method) => (path: string) => {
    routes.push({ method, path, params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1]!) });
  };
  const recorder = {
    get: record('GET'),
    post: record('POST'),
    put: record('PUT'),
    patch: record('PATCH'),
    delete: record('DELETE'),
  };
  // Route modules only read ctx inside handlers, which the recorder never calls.
  registerRoutes(recorder as unknown as FastifyInstance, {} as AppContext);
  return routes;
}

/** `/a/:x/b` with values for each parameter. */
export function fillPath(route: RouteSpec, values: Record<string, string>): string {
  return route.path.replace(/:(\w+)/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no test value for path parameter ':${name}' of ${route.path}`);
    return value;
  });
}

export const routeName = (r: RouteSpec): string => `${r.method} ${r.path}`;

/** A well-formed request body per route, so a 404 is never masked by a 400 for a missing body. */
export function bodyFor(name: string): Parameters<typeof send>[1] {
  const mask = aiohttpMultipart([
    { name: 'file', value: grayPng(2, 2), contentType: 'image/png', filename: 'seg' },
  ]);
  const volume = aiohttpMultipart([
    {
      name: 'file',
      value: makeNifti([2, 2, 1], () => 1),
      contentType: 'application/nifti',
      filename: 'v.nii',
    },
    { name: 'segmentation_map', value: '{"1": "liver"}', contentType: 'application/json' },
  ]);
  const bodies: Record<string, Parameters<typeof send>[1]> = {
    'PUT /resources/:resource_id/tags': { json: { tags: ['x'] } },
    'PATCH /projects/:project_id': { json: { description: 'x' } },
    'PATCH /users/:email': { json: { firstname: 'x' } },
    'POST /users/invite': { json: { email: 'x@y.z' } },
    'POST /projects/:project_id/resources': { json: { resource_ids_to_add: [], all_files_selected: false } },
    'POST /projects/:project_id/members/:user_id': { json: { roles: ['annotator'] } },
    'POST /projects/:project_id/splits': { json: { resource_ids: [], split_name: 'train' } },
    'POST /projects/:project_id/resources/:resource_id/status': { json: { status: 'closed' } },
    'POST /datasets/:dataset_id/resources': { json: { resource_ids_to_add: [], all_files_selected: false } },
    'POST /annotations/:resource_id/annotations': { json: [] },
    'POST /annotations/:resource_id/annotations/:annotation_id/file': {
      body: mask.body,
      headers: { 'content-type': mask.contentType },
    },
    'PATCH /annotationsets/:worklist_id': { json: { status: 'completed' } },
    'PUT /annotationsets/:worklist_id/segmentation-group': {
      json: { segmentationData: { definitions: [] } },
    },
    'POST /annotationsets/:worklist_id/resources/:resource_id/status': { json: { status: 'closed' } },
    'POST /annotationsets/:worklist_id/annotators/:user_id': { json: { status: 'active' } },
    'POST /annotationsets/:worklist_id/resources': { json: {} },
    'PATCH /annotations/:annotation_id': { json: { identifier: 'renamed' } },
    'POST /annotations/:resource_id/segmentations/file': {
      body: volume.body,
      headers: { 'content-type': volume.contentType },
    },
    'PATCH /experiments/:experiment_id': { json: { name: 'changed' } },
    'POST /experiments/:experiment_id/summary': { json: { result_summary: { x: 1 } } },
    'POST /experiments/:experiment_id/log': { json: { x: 1 } },
  };
  return bodies[name] ?? {};
}
