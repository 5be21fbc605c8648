import { configFilePath } from '@datamint/core';
import type { Command } from 'commander';
import type { CliStreams } from './io';
import { Prompter } from './ui/prompt';
import { Terminal } from './ui/terminal';

export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/** What every command action receives: the terminal, a prompter and the config file location. */
export interface CommandContext {
  term: Terminal;
  prompt: Prompter;
  streams: CliStreams;
  configFile: string;
}

export function contextFor(command: Command, streams: CliStreams): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const term = new Terminal(streams, {
    json: globals.json === true,
    verbose: globals.verbose === true,
    noColor: globals.color === false,
  });
  return { term, prompt: new Prompter(term), streams, configFile: configFilePath(streams.env) };
}
