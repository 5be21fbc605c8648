import type { GetResourcesOptions, Resource, ResourceFields, ResourceStatus } from '@datamint/client';
import { RESOURCE_ORDER_FIELDS, RESOURCE_STATUSES } from '@datamint/core/internal';
import { type Command, Option } from 'commander';
import { openClient } from '../connect';
import { contextFor } from '../context';
import { UsageError } from '../errors';
import type { CliStreams } from '../io';
import { humanSize, renderTable } from '../ui/format';
import { collect, parseDay, parsePositiveInt } from './upload-options';

interface ListOptions {
  status?: string;
  from?: string;
  to?: string;
  tag?: string[];
  modality?: string;
  mimetype?: string;
  channel?: string;
  project?: string;
  projectId?: string;
  filename?: string;
  orderBy?: string;
  asc?: boolean;
  limit?: string;
  idsOnly?: boolean;
}

export function resourceFilters(options: ListOptions): GetResourcesOptions {
  const filters: GetResourcesOptions = {};
  if (options.status) filters.status = options.status as ResourceStatus;
  if (options.from !== undefined) filters.fromDate = parseDay(options.from, '--from');
  if (options.to !== undefined) filters.toDate = parseDay(options.to, '--to');
  if (filters.fromDate && filters.toDate && filters.fromDate > filters.toDate) {
    throw new UsageError(
      `--from ${filters.fromDate} is after --to ${filters.toDate}: no resource can match`,
      '--from',
    );
  }
  if (options.asc && !options.orderBy)
    throw new UsageError('--asc orders by a field: give --order-by too', '--asc');
  if (options.tag?.length) filters.tags = options.tag.flatMap((t) => t.split(',')).map((t) => t.trim());
  if (options.modality) filters.modality = options.modality;
  if (options.mimetype) filters.mimetype = options.mimetype;
  if (options.channel) filters.channel = options.channel;
  if (options.project !== undefined && options.projectId !== undefined)
    throw new UsageError('give --project or --project-id, not both', '--project');
  if (options.projectId) filters.projectId = options.projectId;
  if (options.filename) filters.filename = options.filename;
  if (options.orderBy) {
    filters.orderField = options.orderBy as ResourceFields;
    filters.orderAscending = options.asc === true;
  }
  return filters;
}

function row(r: Resource): string[] {
  return [
    r.id,
    r.filename ?? '',
    r.status ?? '',
    r.mimetype ?? '',
    r.modality ?? '',
    typeof r.size === 'number' ? humanSize(r.size) : '',
    r.upload_channel ?? '',
    (r.created_at ?? '').slice(0, 19),
  ];
}

export function registerResources(program: Command, streams: CliStreams): void {
  const resources = program.command('resources').description('list resources');
  resources
    .command('list')
    .alias('ls')
    .description('list resources, with the filters of getResources (server order unless --order-by)')
    .addOption(new Option('--status <status>', 'resource status').choices(RESOURCE_STATUSES))
    .option('--from <date>', 'created on or after this day (YYYY-MM-DD)')
    .option('--to <date>', 'created on or before this day (YYYY-MM-DD)')
    .option('--tag <tag>', 'having any of these tags (repeatable)', collect)
    .option('--modality <modality>', 'e.g. CT, MR')
    .option('--mimetype <type>', 'e.g. application/dicom')
    .option('--channel <name>', 'upload channel')
    .option('--project <name>', 'resources of this project (name or id)')
    .option('--project-id <id>', 'resources of this project (id)')
    .option('--filename <text>', 'file name contains this text')
    .addOption(new Option('--order-by <field>', 'sort field').choices(RESOURCE_ORDER_FIELDS))
    .option('--asc', 'ascending order (with --order-by)')
    .option('--limit <n>', 'stop after n resources')
    .option('--ids-only', 'print only the ids, one per line')
    .addHelpText(
      'after',
      `
Examples:
  $ datamint resources list --status inbox --limit 20
  $ datamint resources list --project "Knee MRI" --modality MR --json
  $ datamint resources list --tag ct --ids-only | xargs -n1 datamint download`,
    )
    .action(async (options: ListOptions, command: Command) => {
      const ctx = contextFor(command, streams);
      const limit =
        options.limit === undefined ? Number.POSITIVE_INFINITY : parsePositiveInt(options.limit, '--limit');
      const api = await openClient(ctx);
      try {
        const filters = resourceFilters(options);
        // Found first, as `download --project` does: a mistyped name is an error, not an empty list.
        if (options.project) filters.projectId = (await api.getProjectByName(options.project)).id;
        if (options.idsOnly && !ctx.term.json) {
          // Streamed page by page, so `--ids-only | xargs` works on any number of resources.
          let count = 0;
          for await (const id of api.getResources({ ...filters, returnIdsOnly: true })) {
            ctx.term.out(id);
            if (++count >= limit) break;
          }
          return;
        }
        const found: Resource[] = [];
        for await (const r of api.getResources({ ...filters, returnIdsOnly: false })) {
          found.push(r);
          if (found.length >= limit) break;
        }
        if (ctx.term.json) ctx.term.emitJson(options.idsOnly ? found.map((r) => r.id) : found);
        else if (found.length === 0) ctx.term.note('No resources match.');
        else {
          const headers = ['ID', 'FILENAME', 'STATUS', 'MIMETYPE', 'MODALITY', 'SIZE', 'CHANNEL', 'CREATED'];
          // Whole ids (people copy them into other commands) and names first; the rest gives way.
          const fit = {
            maxWidth: ctx.term.tableWidth,
            flexible: [1, 6, 3],
            middle: [1],
            droppable: [6, 3, 7, 4, 5],
          };
          for (const line of renderTable(headers, found.map(row), fit)) ctx.term.out(line);
          ctx.term.note(`${found.length} resource(s)`);
        }
      } finally {
        await api.close();
      }
    });
}
