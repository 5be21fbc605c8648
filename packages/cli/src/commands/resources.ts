import type { GetResourcesOptions, Resource, ResourceFields, ResourceStatus } from '@datamint/client';
import { RESOURCE_ORDER_FIELDS, RESOURCE_STATUSES } from '@datamint/core/internal';
import { type Command, Option } from 'commander';
import { openClient } from '../connect';
import { contextFor } from '../context';
import { UsageError } from '../errors';
import type { CliStreams } from '../io';
import { type ListTable, renderListTable } from '../ui/list-table';
import { sizeColumn } from '../ui/size-column';
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

const COLUMNS = ['ID', 'FILENAME', 'STATUS', 'MIMETYPE', 'MODALITY', 'SIZE', 'CHANNEL', 'CREATED'] as const;
type ColumnName = (typeof COLUMNS)[number];
const column = (name: ColumnName): number => COLUMNS.indexOf(name);
/** What a narrow terminal leaves out first (documented in the README). */
const DROP_ORDER: readonly ColumnName[] = ['CHANNEL', 'MIMETYPE', 'CREATED', 'MODALITY', 'SIZE'];

/** The listing as a table: ids whole, names before free text, the expendable columns in order. */
function resourceTable(found: readonly Resource[]): ListTable {
  const size = sizeColumn(
    'SIZE',
    found.map((r) => (typeof r.size === 'number' ? r.size : undefined)),
  );
  const headers = COLUMNS.map((h) => (h === 'SIZE' ? size.header : h));
  const rows = found.map((r, i) => [
    r.id,
    r.filename ?? '',
    r.status ?? '',
    r.mimetype ?? '',
    r.modality ?? '',
    size.cells[i]!,
    r.upload_channel ?? '',
    (r.created_at ?? '').slice(0, 19),
  ]);
  return {
    headers,
    rows,
    id: column('ID'),
    name: column('FILENAME'),
    text: [column('CHANNEL'), column('MIMETYPE')],
    droppable: DROP_ORDER.map(column),
  };
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
          for (const line of renderListTable(resourceTable(found), ctx.term.tableWidth)) ctx.term.out(line);
          ctx.term.note(`${found.length} resource(s)`);
        }
      } finally {
        await api.close();
      }
    });
}
