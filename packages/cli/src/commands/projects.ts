import { type APIHandler, type Project, ResourceNotFoundError } from '@datamint/client';
import type { Command } from 'commander';
import { openClient } from '../connect';
import { contextFor } from '../context';
import { CliError, UsageError } from '../errors';
import type { CliStreams } from '../io';
import { lookUpResources } from '../resource-lookup';
import { renderListTable } from '../ui/list-table';
import { collect } from './upload-options';

/** `"a"` or `"a", "b"`: the ids as the user typed them. */
const quoted = (ids: readonly string[]): string => ids.map((id) => JSON.stringify(id)).join(', ');

/**
 * Creates the project; when the server refuses it because a listed resource does not exist, the ids
 * are looked up one by one so that the error names the ones that are missing, not the whole list.
 */
async function createNamingMissing(
  api: APIHandler,
  name: string,
  description: string,
  resourceIds: readonly string[],
): Promise<Project> {
  try {
    return await api.createProject(name, description, resourceIds);
  } catch (error) {
    if (!(error instanceof ResourceNotFoundError) || error.resourceType !== 'resource') throw error;
    const { missing } = await lookUpResources(api, resourceIds);
    const named = missing.length ? missing : resourceIds;
    const what = named.length === 1 ? `resource ${quoted(named)} was` : `resources ${quoted(named)} were`;
    throw new CliError(
      `${what} not found: no project was created (\`datamint resources list\` shows the ids)`,
      { cause: error },
    );
  }
}

export function registerProjects(program: Command, streams: CliStreams): void {
  const projects = program.command('projects').description('list and create projects');
  projects
    .command('list')
    .alias('ls')
    .description('list projects')
    .addHelpText('after', '\nExamples:\n  $ datamint projects list\n  $ datamint projects list --json')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextFor(command, streams);
      const api = await openClient(ctx);
      try {
        const list: Project[] = await api.getProjects();
        if (ctx.term.json) ctx.term.emitJson(list);
        else if (list.length === 0) ctx.term.note('No projects yet: datamint projects create NAME');
        else {
          const rows = list.map((p) => [
            p.id,
            p.name,
            String(p.resource_count ?? ''),
            (p.created_at ?? '').slice(0, 19),
            p.description ?? '',
          ]);
          const headers = ['ID', 'NAME', 'RESOURCES', 'CREATED', 'DESCRIPTION'];
          const table = { headers, rows, id: 0, name: 1, text: [4], droppable: [4, 3] };
          for (const line of renderListTable(table, ctx.term.tableWidth)) ctx.term.out(line);
        }
      } finally {
        await api.close();
      }
    });
  projects
    .command('create')
    .description('create a project (with its dataset and worklist)')
    .argument('<name>', 'project name')
    .option('--description <text>', 'description', '')
    .option('--resource <id>', 'resource to include (repeatable)', collect)
    .addHelpText(
      'after',
      '\nExamples:\n  $ datamint projects create "Knee MRI" --description "pilot" --resource 3f2a... --resource 9bc1...',
    )
    .action(async (name: string, options: { description: string; resource?: string[] }, command: Command) => {
      const ctx = contextFor(command, streams);
      if (name.trim() === '') throw new UsageError('the project name is empty: give a name', 'name');
      const api = await openClient(ctx);
      try {
        const project = await createNamingMissing(api, name, options.description, options.resource ?? []);
        if (ctx.term.json) ctx.term.emitJson(project);
        else ctx.term.out(`Created project "${project.name}" (${project.id})`);
      } finally {
        await api.close();
      }
    });
}
