import type { CliCommand } from '../io';
import { runCommand } from './run';
import { listCommand } from './list';
import { analyzeCommand } from './analyze';
import { convertCommand } from './convert';

/** Every subcommand, in the order `runbook --help` lists them. Add new ones here. */
export const commands: CliCommand[] = [runCommand, listCommand, analyzeCommand, convertCommand];
