import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context';
import { BadRequestError, NotFoundError } from '../errors';
import { requireId } from '../ids';
import { findAnnotation, insertAnnotation, type NewAnnotation } from '../repos/annotations';
import { findResource, type ResourceRow } from '../repos/resources';
import { worklistExists } from '../repos/worklists';
import { idListSchema, ok } from '../schemas/entities';
import { nowIso } from '../time';
import { receiveUpload, textField } from '../upload';
import { type FrameShape, parseSegmentationMap } from '../volume-mask';

interface ResourceParams {
  resource_id: string;
}
interface MaskFrameParams extends ResourceParams {
  annotation_id: string;
  frame_index: string;
}

/** Volume masks are whole label volumes; the same cap as frame masks keeps them in memory bounds. */
const MAX_VOLUME_UPLOAD_BYTES = 256 * 1024 * 1024;

function frameShape(resource: ResourceRow): FrameShape {
  // Single-frame DICOM and 2-D images carry no frame count: they have one frame once their size is known.
  const frames = resource.number_of_frames ?? (resource.rows !== null ? 1 : null);
  return { columns: resource.columns, rows: resource.rows, frames };
}

/**
 * Volume segmentations (one NIfTI label volume → one annotation per named label, the file stored
 * once) and per-frame rendering of any annotation's mask.
 */
export function volumeSegmentationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db, store } = ctx;

  async function uploadVolume(req: FastifyRequest<{ Params: ResourceParams }>, reply: FastifyReply) {
    const customerId = req.principal.customerId;
    const resourceId = requireId('Resource', req.params.resource_id);
    const resource = findResource(db, customerId, resourceId);
    if (!resource) throw new NotFoundError('Resource');
    const upload = await receiveUpload(req, ctx, {
      fileField: 'file',
      maxFileBytes: Math.min(MAX_VOLUME_UPLOAD_BYTES, ctx.maxUploadBytes),
    });
    let committed: string | undefined;
    try {
      const { fields } = upload;
      const names = parseSegmentationMap(fields.get('segmentation_map'));
      const worklistId = textField(fields, 'annotation_worklist_id')?.toLowerCase() ?? null;
      if (worklistId !== null && !worklistExists(db, customerId, worklistId)) {
        throw new NotFoundError('Annotation worklist', worklistId);
      }
      const present = await ctx.render.run('volumeLabels', {
        path: upload.tempPath,
        shape: frameShape(resource),
        resourceId,
        limits: ctx.decodeLimits,
      });
      // Named labels that occur in the volume; without names, every label present, named by value.
      const labels =
        names.size === 0
          ? present.map((value) => ({ value, name: `label_${value}` }))
          : present.filter((v) => names.has(v)).map((value) => ({ value, name: names.get(value)! }));
      if (labels.length === 0) {
        throw new BadRequestError(
          names.size === 0
            ? 'segmentation volume holds no non-zero label'
            : `none of the segmentation_map labels (${[...names.keys()].join(', ')}) occurs in the volume (labels present: ${present.join(', ') || 'none'})`,
        );
      }
      const classMap = JSON.stringify(Object.fromEntries([...names].map(([k, v]) => [String(k), v])));
      const key = store.keyFor('masks', randomUUID());
      await store.commit(upload.tempPath, key);
      committed = key;
      const modelId = textField(fields, 'model_id') ?? null;
      const at = nowIso();
      const rows: NewAnnotation[] = labels.map(({ value, name }) => ({
        id: randomUUID(),
        customer_id: customerId,
        resource_id: resourceId,
        name,
        type: 'segmentation',
        scope: 'image',
        frame_index: null,
        value: null,
        geometry: null,
        worklist_id: worklistId,
        imported_from: textField(fields, 'imported_from') ?? null,
        import_author: null,
        added_by: req.principal.email,
        model_id: modelId,
        is_model: modelId === null ? 0 : 1,
        units: null,
        status: 'new',
        created_at: at,
        source: textField(fields, 'source') ?? null,
        class_map: classMap,
        label_value: value,
        file_key: key,
        file_mimetype: 'application/nifti',
      }));
      db.transaction(() => {
        for (const row of rows) insertAnnotation(db, row);
      })();
      committed = undefined;
      reply.code(201);
      return rows.map((r) => r.id);
    } finally {
      await store.discardTemp(upload.tempPath);
      if (committed) await store.remove(committed);
    }
  }

  app.post<{ Params: ResourceParams }>(
    '/annotations/:resource_id/segmentations/file',
    { schema: { response: ok(idListSchema, 201) } },
    (req, reply) => ctx.track(uploadVolume(req, reply)),
  );

  app.get<{ Params: MaskFrameParams }>(
    '/annotations/:resource_id/annotations/:annotation_id/frames/:frame_index',
    async (req, reply) => {
      const customerId = req.principal.customerId;
      const resourceId = requireId('Resource', req.params.resource_id);
      const annotationId = requireId('Annotation', req.params.annotation_id);
      const raw = req.params.frame_index;
      if (!/^\d{1,9}$/.test(raw)) {
        throw new BadRequestError(`frame_index must be a non-negative integer, got '${raw.slice(0, 50)}'`);
      }
      const frame = Number(raw);
      if (!findResource(db, customerId, resourceId)) throw new NotFoundError('Resource');
      const annotation = findAnnotation(db, customerId, annotationId);
      if (!annotation || annotation.resource_id !== resourceId) throw new NotFoundError('Annotation');
      if (!annotation.file_key)
        throw new NotFoundError('Annotation file', 'no mask was attached to this annotation');
      let png: Uint8Array;
      if (annotation.label_value !== null) {
        png = await ctx.render.run('labelFrame', {
          path: store.pathOf(annotation.file_key),
          frame,
          label: annotation.label_value,
          limits: ctx.decodeLimits,
        });
      } else {
        // A per-frame mask is one frame: it answers for its own frame index (0 for image scope).
        const own = annotation.frame_index ?? 0;
        if (frame !== own) {
          throw new BadRequestError(
            `Frame index out of range: ${frame} (this mask is frame ${own} of the resource)`,
          );
        }
        png = await ctx.render.run('frame', {
          source: {
            path: store.pathOf(annotation.file_key),
            mimetype: annotation.file_mimetype,
            filename: 'mask',
            storage: '',
          },
          index: 0,
          limits: ctx.decodeLimits,
        });
      }
      return reply
        .code(200)
        .header('content-type', 'image/png')
        .send(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
    },
  );
}
