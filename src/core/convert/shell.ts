/**
 * Shell blocks from a guide, cut into commands without running or interpreting them: `\`-newline
 * continuations are joined, quoted strings may span lines, heredoc bodies stay with their
 * command, console prompts (`$ `) are stripped and console output lines dropped. One pass over
 * the text; no regex backtracks over more than one line.
 */

export interface Heredoc {
  readonly delimiter: string;
  /** `<<'EOF'` / `<<"EOF"`: the body is literal (no `$VAR` expansion). */
  readonly quoted: boolean;
  /** The body lines joined with "\n", plus a final "\n" (as the shell feeds it). */
  readonly body: string;
}

export interface ShellCommand {
  /** The command as written (prompt stripped; continuation and heredoc lines included). */
  readonly text: string;
  /** Index of the command's first line within the block (0-based). */
  readonly line: number;
  /** `#` comment lines directly above the command (without the `#`). */
  readonly comments: readonly string[];
  /** The command line alone, `\`-newlines turned into spaces, heredoc bodies left out: what a shell-word parser reads. */
  readonly joined: string;
  readonly heredocs: readonly Heredoc[];
}

export interface ShellBlock {
  readonly commands: ShellCommand[];
  /** Comment lines after the last command. */
  readonly trailingComments: string[];
  /** Lines dropped as console output (prompt style blocks). */
  readonly outputLines: number;
}

const PROMPT = /^\s{0,8}(?:\$|PS>|>>>|%)\s/;

/** True when the block is written with `$ ` prompts (console style): lines without a prompt are output. */
export function hasPrompts(lines: readonly string[]): boolean {
  for (const l of lines) if (PROMPT.test(l) && /^\s{0,8}\$\s/.test(l)) return true;
  return false;
}

/** Strips a leading `$ ` prompt. */
export function stripPrompt(line: string): string {
  const m = /^\s{0,8}\$\s+/.exec(line);
  return m ? line.slice(m[0].length) : line;
}

interface Scan {
  /** Open quote at the end of the line: "'" / '"' / "" (none). */
  quote: string;
  /** The line ends with an unquoted backslash (continuation). */
  continued: boolean;
  heredocs: { delimiter: string; quoted: boolean; strip: boolean }[];
}

/** Scans one physical line, continuing the quote state of the logical line. */
function scanLine(line: string, quote: string, out: Scan): void {
  let q = quote;
  let continued = false;
  const n = line.length;
  for (let i = 0; i < n; i++) {
    const c = line[i]!;
    if (q === "'") {
      if (c === "'") q = '';
      continue;
    }
    if (c === '\\') {
      if (i === n - 1) {
        continued = true;
        break;
      }
      i++;
      continue;
    }
    if (q === '"') {
      if (c === '"') q = '';
      continue;
    }
    if (c === "'" || c === '"') {
      q = c;
      continue;
    }
    if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break; // comment to the end of the line
    if (c === '<' && line[i + 1] === '<' && line[i + 2] !== '<') {
      let j = i + 2;
      let strip = false;
      if (line[j] === '-') {
        strip = true;
        j++;
      }
      while (j < n && (line[j] === ' ' || line[j] === '\t')) j++;
      let quoted = false;
      let delimiter = '';
      if (line[j] === "'" || line[j] === '"') {
        const qc = line[j]!;
        const end = line.indexOf(qc, j + 1);
        if (end > j) {
          delimiter = line.slice(j + 1, end);
          quoted = true;
          i = end;
        }
      } else {
        let k = j;
        while (k < n && /[A-Za-z0-9_.-]/.test(line[k]!)) k++;
        delimiter = line.slice(j, k);
        i = Math.max(i + 1, k - 1);
      }
      if (delimiter) out.heredocs.push({ delimiter, quoted, strip });
    }
  }
  out.quote = q;
  out.continued = continued && q !== "'";
}

/** Cuts a shell block (LF line ends) into commands. */
export function splitShellBlock(content: string): ShellBlock {
  const lines = content.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const prompts = hasPrompts(lines);
  const commands: ShellCommand[] = [];
  let comments: string[] = [];
  let outputLines = 0;
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i]!;
    if (!raw.trim()) {
      i++;
      continue;
    }
    let first = raw;
    if (prompts) {
      if (!/^\s{0,8}\$\s/.test(raw)) {
        if (/^\s*#/.test(raw)) comments.push(raw.trim().replace(/^#+\s?/, ''));
        else outputLines++;
        i++;
        continue;
      }
      first = stripPrompt(raw);
    }
    if (/^\s*#/.test(first)) {
      comments.push(first.trim().replace(/^#+\s?/, ''));
      i++;
      continue;
    }
    const start = i;
    const textLines: string[] = [first];
    const scan: Scan = { quote: '', continued: false, heredocs: [] };
    scanLine(first, '', scan);
    let joined = '';
    let current = first;
    i++;
    for (;;) {
      if (scan.quote) {
        joined += current + '\n';
      } else if (scan.continued) {
        joined += current.slice(0, -1) + ' ';
      } else {
        joined += current;
        break;
      }
      if (i >= lines.length) break;
      let next = lines[i]!;
      if (prompts) next = next.replace(/^\s{0,8}>\s/, '');
      textLines.push(next);
      current = next;
      scanLine(next, scan.quote, scan);
      i++;
    }
    const heredocs: Heredoc[] = [];
    for (const h of scan.heredocs) {
      const body: string[] = [];
      while (i < lines.length) {
        const l = lines[i]!;
        textLines.push(l);
        i++;
        const probe = h.strip ? l.replace(/^\t+/, '') : l;
        if (probe === h.delimiter || probe.trimEnd() === h.delimiter) break;
        body.push(h.strip ? probe : l);
      }
      heredocs.push({ delimiter: h.delimiter, quoted: h.quoted, body: body.length ? body.join('\n') + '\n' : '' });
    }
    commands.push({ text: textLines.join('\n'), line: start, comments, joined, heredocs });
    comments = [];
  }
  return { commands, trailingComments: comments, outputLines };
}
