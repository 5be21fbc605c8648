import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
export const repoRoot = join(packageRoot, '..', '..');
export const sharedData = join(repoRoot, '..', 'shared', 'data');
const tsconfig = join(packageRoot, 'test', 'tsconfig.run.json');
// Absolute, because `--import tsx` would be resolved from the child's working directory.
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs'),
).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  /** Text written to stdin, which is then closed (end of input). */
  input?: string;
  cwd?: string;
  /** The entry under src/ to run (default `bin.ts`, the `datamint` command). */
  script?: string;
  /** Run as this user (tests of permissions run as an unprivileged user when they run as root). */
  user?: { uid: number; gid: number };
  /** Kill the child after this many ms (code `null`), so a command that hangs fails its test. */
  timeoutMs?: number;
  /**
   * Run in a pseudo-terminal of this size (through util-linux `script`; see {@link ptyAvailable}):
   * stdin, stdout and stderr are all that terminal, so everything printed arrives in `stdout`, with
   * `\r\n` line ends. `{ columns: 0, rows: 0 }` is a terminal that was never given a size.
   */
  pty?: { columns: number; rows: number };
}

/** Whether {@link CliRunOptions.pty} works here: util-linux `script` (Linux) is installed. */
export function ptyAvailable(): boolean {
  if (process.platform !== 'linux') return false;
  return spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout?.includes('util-linux') === true;
}

/** `word` quoted for a POSIX shell. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A throw-away HOME and XDG_CONFIG_HOME, so tests never touch the developer's config file. */
export function makeHome(): { home: string; configFile: string; cleanup: () => void } {
  const home = mkdtempSync(join(tmpdir(), 'datamint-cli-home-'));
  return {
    home,
    configFile: join(home, 'config', 'datamintapi', 'datamintapi.yaml'),
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}

export function homeEnv(home: string): Record<string, string> {
  return { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), USERPROFILE: home };
}

/**
 * Runs `datamint` from source in a child process (tsx resolves the workspace packages to their
 * sources through test/tsconfig.run.json), with stdin a pipe, so it is never a TTY.
 */
export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('DATAMINT_') && key !== 'FORCE_COLOR') env[key] = value;
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  env.TSX_TSCONFIG_PATH = tsconfig;
  const argv = [
    process.execPath,
    '--import',
    tsxLoader,
    join(packageRoot, 'src', options.script ?? 'bin.ts'),
    ...args,
  ];
  const [command, ...commandArgs] = options.pty
    ? [
        'script',
        '--quiet',
        '--return',
        '--flush',
        '--command',
        `stty cols ${options.pty.columns} rows ${options.pty.rows} && exec ${argv.map(shellQuote).join(' ')}`,
        '/dev/null',
      ]
    : argv;
  return new Promise((resolve, reject) => {
    const child = spawn(command!, commandArgs, {
      cwd: options.cwd ?? packageRoot,
      env,
      ...(options.user ?? {}),
      ...(options.timeoutMs ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {
      // The CLI may exit before reading everything; that is not a test failure by itself.
    });
    child.stdin.end(options.input ?? '');
  });
}
