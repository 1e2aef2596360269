import type { CliCommand } from '../io';

/** Every subcommand, in the order `runbook --help` lists them. Add new ones here. */
export const commands: CliCommand[] = [];
