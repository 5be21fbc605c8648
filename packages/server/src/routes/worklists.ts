import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { requireId } from '../ids';
import { queryNonEmpty, queryPage, type RawQuery } from '../query';
import { type JsonObject, parseJsonColumn } from '../repos/json';
import {
  findWorklistRow,
  getWorklist,
  listWorklists,
  patchWorklist,
  setWorklistJson,
  WORKLIST_STATUSES,
  type WorklistPatch,
  type WorklistStatus,
} from '../repos/worklists';
import { listOf, ok, worklistSchema } from '../schemas/entities';
import { nowIso } from '../time';
import { oneOf, optionalArray, optionalString, optionalStringArray, requireObject } from '../validate';

interface IdParams {
  worklist_id: string;
}

/** Keys with their own column (or computed by the server): never stored as extra fields. */
const PATCHED_COLUMNS = new Set([
  'status',
  'name',
  'description',
  'annotations',
  'frame_labels',
  'image_labels',
  'id',
  'customer_id',
  'created_at',
  'created_by',
  'updated_at',
  'resource_ids',
  'project_id',
  'annotators',
]);

export function worklistRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;

  app.get('/annotationsets', { schema: { response: ok(listOf(worklistSchema)) } }, async (req) => {
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

  app.get<{ Params: IdParams }>(
    '/annotationsets/:worklist_id',
    { schema: { response: ok(worklistSchema) } },
    async (req) => {
      const worklist = getWorklist(
        db,
        req.principal.customerId,
        requireId('Annotation worklist', req.params.worklist_id),
      );
      if (!worklist) throw new NotFoundError('Annotation worklist');
      return worklist;
    },
  );

  app.patch<{ Params: IdParams }>(
    '/annotationsets/:worklist_id',
    { schema: { response: ok(worklistSchema) } },
    async (req) => {
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
      // The current SDK patches arbitrary fields: those without a column are kept and echoed back.
      const other = Object.entries(body).filter(([key]) => !PATCHED_COLUMNS.has(key));
      if (other.length > 0) {
        const row = findWorklistRow(db, customerId, id)!;
        const extra = { ...parseJsonColumn<JsonObject>(row.extra, {}), ...Object.fromEntries(other) };
        setWorklistJson(db, id, 'extra', extra, nowIso());
      }
      return getWorklist(db, customerId, id);
    },
  );
}
