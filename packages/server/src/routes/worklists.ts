import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { requireId } from '../ids';
import { queryNonEmpty, queryPage, type RawQuery } from '../query';
import {
  getWorklist,
  listWorklists,
  patchWorklist,
  WORKLIST_STATUSES,
  type WorklistPatch,
  type WorklistStatus,
} from '../repos/worklists';
import { nowIso } from '../time';
import { oneOf, optionalArray, optionalString, optionalStringArray, requireObject } from '../validate';

interface IdParams {
  worklist_id: string;
}

export function worklistRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/annotationsets', async (req) => {
    const query = req.query as RawQuery;
    const status = queryNonEmpty(query, 'status');
    const { items, total } = listWorklists(
      db,
      req.principal.customerId,
      status === undefined ? undefined : oneOf(status, WORKLIST_STATUSES, 'status'),
      queryPage(query),
    );
    return { data: items, totalCount: total };
  });

  app.get<{ Params: IdParams }>('/annotationsets/:worklist_id', async (req) => {
    const worklist = getWorklist(
      db,
      req.principal.customerId,
      requireId('Annotation worklist', req.params.worklist_id),
    );
    if (!worklist) throw new NotFoundError('Annotation worklist');
    return worklist;
  });

  app.patch<{ Params: IdParams }>('/annotationsets/:worklist_id', async (req) => {
    const customerId = req.principal.customerId;
    const id = requireId('Annotation worklist', req.params.worklist_id);
    if (!getWorklist(db, customerId, id)) throw new NotFoundError('Annotation worklist');
    const body = requireObject(req.body ?? {}, 'body');
    const patch: WorklistPatch = {};
    const status = optionalString(body, 'status', 'body');
    if (status !== null) patch.status = oneOf(status, WORKLIST_STATUSES, 'body.status') as WorklistStatus;
    const name = optionalString(body, 'name', 'body');
    if (name !== null) {
      if (name.trim() === '') throw new BadRequestError('body.name must not be empty');
      patch.name = name;
    }
    if (body.description !== undefined) patch.description = optionalString(body, 'description', 'body');
    const annotations = optionalArray(body, 'annotations', 'body');
    if (annotations !== null) patch.annotations = annotations;
    const frameLabels = optionalStringArray(body, 'frame_labels', 'body');
    if (frameLabels !== null) patch.frameLabels = frameLabels;
    const imageLabels = optionalStringArray(body, 'image_labels', 'body');
    if (imageLabels !== null) patch.imageLabels = imageLabels;
    patchWorklist(db, id, patch, nowIso());
    return getWorklist(db, customerId, id);
  });
}
