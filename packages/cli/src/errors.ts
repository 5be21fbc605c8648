import { DatamintException } from '@datamint/core';

/** Exit codes of the `datamint` command; documented in the README. */
export const ExitCode = {
  /** Everything asked for was done. */
  ok: 0,
  /** A runtime failure: an API error, a failed upload, a missing key, a refused connection. */
  failure: 1,
  /** The command line itself was wrong: unknown flag, bad value, conflicting options. */
  usage: 2,
  /** Interrupted by Ctrl-C (SIGINT), as shells report it. */
  interrupted: 130,
} as const;
/** One of the {@link ExitCode} values. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in the command line: printed as one line, exit code 2, never a stack trace. */
export class UsageError extends DatamintException {
  override name = 'UsageError';
  /** The option or argument at fault (`--concurrency`, `paths`), when one is. */
  readonly option: string | undefined;
  constructor(message: string, option?: string) {
    super(message);
    this.option = option;
  }
}

/** A failure the user can act on (file missing, cancelled, nothing to do); exit code 1 by default. */
export class CliError extends DatamintException {
  override name = 'CliError';
  /** The code the process exits with. */
  readonly exitCode: ExitCode;
  constructor(message: string, options: { exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}
