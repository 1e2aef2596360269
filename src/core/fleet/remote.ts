/**
 * The command a fleet check runs on a remote host, for both transports: inputs as environment
 * variables on the remote command (single-quoted, so no value is ever parsed by the remote shell),
 * the script in one more variable, run by the host's own bash / python.
 *
 * Over ssh the remote side also watches its stdin: the local ssh client keeps that pipe open and
 * never writes to it, so when the client is killed (cancel, per-host timeout) the remote wrapper
 * reads end-of-file and kills the script's whole process group — cancel ends the remote work too.
 * Ansible's `shell` module has no stdin to watch; there `timeout` bounds the remote run instead.
 */

/** A POSIX single-quoted word: safe for any value, newlines included. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type Interpreter = { readonly kind: 'bash' } | { readonly kind: 'python'; readonly command: string };

function interpreterWord(interp: Interpreter): string {
  return interp.kind === 'bash' ? 'bash' : interp.command;
}

/** `env K='v' … RUNBOOK_SCRIPT='…'` — the prefix both transports put before their wrapper. */
function envPrefix(env: Readonly<Record<string, string>>, script: string): string {
  const words = ['env'];
  for (const [k, v] of Object.entries(env)) {
    if (!ENV_NAME.test(k)) throw new Error(`environment variable name ${JSON.stringify(k)} is not valid`);
    words.push(`${k}=${shQuote(v)}`);
  }
  words.push(`RUNBOOK_SCRIPT=${shQuote(script)}`);
  return words.join(' ');
}

/** The remote command for `ssh host <command>`: runs the script, ends it when the ssh client goes away. */
export function sshRemoteCommand(script: string, env: Readonly<Record<string, string>>, interp: Interpreter): string {
  const run = `${interpreterWord(interp)} -c "$RUNBOOK_SCRIPT"`;
  const wrapper = [
    // A background job's stdin is /dev/null unless redirected: keep the session's stdin on fd 3.
    'exec 3<&0',
    `if command -v setsid >/dev/null 2>&1; then setsid ${run} </dev/null 3<&- & else ${run} </dev/null 3<&- & fi`,
    'p=$!',
    // The local ssh keeps stdin open: end-of-file means it was killed, so end the script's group.
    '( cat <&3 >/dev/null 2>&1; kill -TERM -"$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null ) >/dev/null 2>&1 &',
    'exec 3<&-',
    'wait "$p"',
  ].join('\n');
  return `${envPrefix(env, script)} sh -c ${shQuote(wrapper)}`;
}

/** The command for Ansible's `shell` module: bounded by `timeout` on the host (exit 124 when it fires). */
export function ansibleShellCommand(script: string, env: Readonly<Record<string, string>>, interp: Interpreter, timeoutSeconds: number): string {
  const secs = Math.max(1, Math.ceil(timeoutSeconds));
  const run = `${interpreterWord(interp)} -c "$RUNBOOK_SCRIPT"`;
  const wrapper = `if command -v timeout >/dev/null 2>&1; then exec timeout -k 5 ${secs} ${run}; else exec ${run}; fi`;
  return `${envPrefix(env, script)} sh -c ${shQuote(wrapper)} </dev/null`;
}
