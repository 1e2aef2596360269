/**
 * `runbook`: the headless CLI on the same core as the extension (no `vscode`).
 * Subcommands live in ./commands, one file each.
 */
import { commands } from './commands';
import { UsageError, type CliIo } from './io';
import { wantsHelp } from './args';

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(help());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout(`${require('../../package.json').version}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`runbook: unknown command "${name}" (see runbook --help)\n`);
    return 2;
  }
  if (wantsHelp(rest, command.options)) {
    io.stdout(command.usage.endsWith('\n') ? command.usage : command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      // One line and a pointer to the usage text, not the whole usage text.
      io.stderr(`runbook ${name}: ${err.message} (see runbook ${name} --help)\n`);
      return 2;
    }
    io.stderr(`runbook ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'Usage: runbook <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "runbook <command> --help" for its options.',
    '',
  ].join('\n');
}

/**
 * A write to a stream whose reader went away (`runbook list | head`) ends quietly: EPIPE marks the
 * stream closed and later writes are dropped; the command runs on and exits with its own code.
 */
export function quietOnEpipe(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'EIO' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw err;
  });
  return (text) => {
    if (closed) return;
    try {
      stream.write(text);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') closed = true;
      else throw err;
    }
  };
}

if (require.main === module) {
  const stdout = quietOnEpipe(process.stdout);
  const stderr = quietOnEpipe(process.stderr);
  main(process.argv.slice(2), {
    stdout,
    stderr,
    env: process.env,
    cwd: process.cwd(),
  }).then(
    (code) => { process.exitCode = code; },
    (err) => { stderr(`runbook: ${err?.stack ?? err}\n`); process.exitCode = 2; },
  );
}
