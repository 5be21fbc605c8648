#!/usr/bin/env node
import { parseCli, USAGE } from './cli-args';
import { ServerConfigError } from './errors';
import { startServer } from './server';
import { WEB_APP_PATH } from './web-app';

async function main(): Promise<void> {
  let command: ReturnType<typeof parseCli>;
  try {
    command = parseCli(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`datamint-server: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(command.options);
  } catch (err) {
    const message = err instanceof ServerConfigError ? err.message : String((err as Error).message ?? err);
    process.stderr.write(`datamint-server: ${message}\n`);
    process.exit(err instanceof ServerConfigError ? 2 : 1);
  }
  process.stdout.write(`listening on ${server.url}\n`);
  if (command.open) process.stdout.write(`web app: ${server.url}${WEB_APP_PATH}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`datamint-server: ${signal} again, exiting without waiting\n`);
      process.exit(1);
    }
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`datamint-server: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
