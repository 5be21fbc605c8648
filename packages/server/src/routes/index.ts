import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context';
import { annotationManagementRoutes } from './annotation-management';
import { annotationRoutes } from './annotations';
import { datasetRoutes } from './datasets';
import { experimentRoutes } from './experiments';
import { projectManagementRoutes } from './project-management';
import { projectRoutes } from './projects';
import { resourceRoutes } from './resources';
import { userRoutes } from './users';
import { volumeSegmentationRoutes } from './volume-segmentations';
import { worklistManagementRoutes } from './worklist-management';
import { worklistRoutes } from './worklists';

export function registerRoutes(app: FastifyInstance, ctx: AppContext): void {
  resourceRoutes(app, ctx);
  projectRoutes(app, ctx);
  projectManagementRoutes(app, ctx);
  datasetRoutes(app, ctx);
  userRoutes(app, ctx);
  annotationRoutes(app, ctx);
  annotationManagementRoutes(app, ctx);
  volumeSegmentationRoutes(app, ctx);
  worklistRoutes(app, ctx);
  worklistManagementRoutes(app, ctx);
  experimentRoutes(app, ctx);
}
