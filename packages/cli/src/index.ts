export { CliError, ExitCode, UsageError } from './errors';
export type { CliStreams } from './io';
export { buildProgram, run } from './program';
