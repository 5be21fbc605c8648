import {
  API_KEY_ENV,
  configFilePath,
  DatamintException,
  ResourceNotFoundError,
  readConfigFile,
} from '@datamint/core';
import { Command, CommanderError } from 'commander';
import { registerConfig } from './commands/config';
import { registerDownload } from './commands/download';
import { registerProjects } from './commands/projects';
import { registerResources } from './commands/resources';
import { registerUpload } from './commands/upload';
import { rewriteRecursiveDepth } from './commands/upload-options';
import { CliError, ExitCode, UsageError } from './errors';
import { type CliStreams, processStreams } from './io';
import { Terminal } from './ui/terminal';
import { VERSION } from './version';

/** Adds `--json`, `--verbose` and `--no-color` to a command, so they work before or after its name. */
export function withGlobalOptions(command: Command): Command {
  return command
    .option('--json', 'machine-readable output on stdout (no colours, no progress bars, no prompts)')
    .option('-v, --verbose', 'print details (requests, discovery decisions, stack traces) on stderr')
    .option('--no-color', 'no ANSI colours (NO_COLOR is honoured too)');
}

/** The `datamint` command tree (commander), writing to `streams`; {@link run} parses and runs it. */
export function buildProgram(streams: CliStreams): Command {
  const program = new Command('datamint');
  program
    .description('Upload, list and download Datamint resources; manage the API key and URL.')
    .version(VERSION, '-V, --version', 'print the version')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      writeErr: (text) => streams.stderr.write(text),
      // Commander's own errors become one line plus a hint, like ours.
      outputError: (text, write) => write(`${text.replace(/^error: /, 'error: ').trimEnd()}\n`),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ datamint config set --api-key-stdin < key.txt
  $ datamint upload ./scans -r --dry-run
  $ datamint upload ./scans -r --tag ct --channel "CT scans" --yes
  $ datamint resources list --status inbox --json
  $ datamint download 3f2a... --out ./downloads

Exit codes: 0 success, 1 failure (any file failed, API or connection error), 2 usage error, 130 interrupted.
Settings: DATAMINT_API_KEY / DATAMINT_API_URL override the config file written by \`datamint config\`.`,
    );
  withGlobalOptions(program);
  // Leaf commands get the global flags too; commander then merges both with optsWithGlobals().
  const inherit = (command: Command): void => {
    for (const sub of command.commands) {
      withGlobalOptions(sub);
      sub.exitOverride();
      inherit(sub);
    }
  };
  registerUpload(program, streams);
  registerResources(program, streams);
  registerDownload(program, streams);
  registerProjects(program, streams);
  registerConfig(program, streams);
  inherit(program);
  return program;
}

/** The name or id of a project the client looked for and did not find, if that is the error. */
function projectNotFound(error: unknown): string | undefined {
  if (!(error instanceof ResourceNotFoundError) || error.resourceType !== 'project') return undefined;
  const name = error.params.project_name;
  return typeof name === 'string' ? name : undefined;
}

/** Maps anything thrown by a command to one stderr line and an exit code. */
export function reportError(error: unknown, term: Terminal): ExitCode {
  if (error instanceof CommanderError) {
    // Help and version are "errors" in commander's exit-override mode.
    if (error.exitCode === 0) return ExitCode.ok;
    return ExitCode.usage;
  }
  if (error instanceof UsageError) {
    term.error(error.message);
    return ExitCode.usage;
  }
  if (error instanceof CliError) {
    term.error(error.message);
    if (term.verbose && error.cause instanceof Error) term.debug(error.cause.stack ?? String(error.cause));
    return error.exitCode;
  }
  const projectName = projectNotFound(error);
  if (projectName !== undefined) {
    term.error(
      `no project is named "${projectName}" or has it as id (\`datamint projects list\` shows them)`,
    );
    return ExitCode.failure;
  }
  if (error instanceof ResourceNotFoundError && error.resourceType === 'unknown' && error.response) {
    // A 404 that no caller could name is most often a wrong API URL (a path too many or too few).
    const { method, url } = error.response;
    term.error(
      `${method} ${url} answered 404 Not Found: is the API URL right? (check it with \`datamint config test\`)`,
    );
    return ExitCode.failure;
  }
  if (error instanceof DatamintException) {
    term.error(error.message);
    if (term.verbose) term.debug(error.stack ?? '');
    return ExitCode.failure;
  }
  // A bug on our side: still one line, the stack only on request.
  const message = error instanceof Error ? error.message : String(error);
  term.error(`unexpected failure: ${message}${term.verbose ? '' : ' (run with --verbose for details)'}`);
  if (term.verbose && error instanceof Error) term.debug(error.stack ?? '');
  return ExitCode.failure;
}

/** Every key this run could have seen, so an error line can never print one. */
async function registerKnownSecrets(term: Terminal, argv: string[], streams: CliStreams): Promise<void> {
  term.addSecret(streams.env[API_KEY_ENV]);
  const flag = argv.findIndex((a) => a === '--api-key' || a.startsWith('--api-key='));
  if (flag >= 0) term.addSecret(argv[flag]!.includes('=') ? argv[flag]!.split('=')[1] : argv[flag + 1]);
  try {
    term.addSecret((await readConfigFile(configFilePath(streams.env))).api_key);
  } catch {
    // An unreadable config file is reported by the command itself.
  }
}

/** Runs the command line `argv` (without node and script) and resolves with the exit code. */
export async function run(argv: string[], streams: CliStreams = processStreams()): Promise<number> {
  const program = buildProgram(streams);
  try {
    await program.parseAsync(argv.includes('upload') ? rewriteRecursiveDepth(argv) : argv, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    // With --json the error still goes to stderr, without colours, as everything else of the run.
    const term = new Terminal(streams, {
      json: argv.includes('--json'),
      verbose,
      noColor: argv.includes('--no-color'),
    });
    await registerKnownSecrets(term, argv, streams);
    return reportError(error, term);
  }
}
