/** The process surface a command run needs; tests and embedders pass their own streams. */
export interface CliStreams {
  /** Where prompts read answers (key entry, confirmations). */
  stdin: NodeJS.ReadableStream & {
    /** Whether it is a terminal (prompts need one). */
    isTTY?: boolean;
    /** Turns echo off for secret entry. */
    setRawMode?: (mode: boolean) => unknown;
  };
  /** Results (tables, ids, `--json` output). */
  stdout: NodeJS.WritableStream & {
    /** Whether it is a terminal. */
    isTTY?: boolean;
    /** Its width in columns. */
    columns?: number;
  };
  /** Progress bars, warnings and errors. */
  stderr: NodeJS.WritableStream & {
    /** Whether it is a terminal (progress bars need one). */
    isTTY?: boolean;
    /** Its width in columns. */
    columns?: number;
  };
  /** The environment (`DATAMINT_API_KEY`, `DATAMINT_API_URL`, `NO_COLOR`, ...). */
  env: Record<string, string | undefined>;
  /** The directory relative paths are resolved against. */
  cwd: string;
}

/** The real process's streams, environment and working directory. */
export function processStreams(): CliStreams {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
}
