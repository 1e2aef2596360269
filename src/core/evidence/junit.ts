/**
 * JUnit XML for CI: one <testsuite> per section (innermost heading path), one <testcase> per
 * check. fail → <failure>, error → <error>, skipped → <skipped>, warn → a passing case with the
 * warning in <system-out>. The message attribute is the one-line reason.
 * Every text is masked (options.masker) before it is escaped, never after: masking escaped XML
 * could miss an escaped form of a secret or cut through markup.
 */
import type { CheckRun } from '../checks/types';
import type { Masker } from '../secrets/mask';

export interface JUnitRun extends CheckRun {
  readonly sectionPath: readonly string[];
  readonly label?: string;
}

export function xmlEscape(text: string): string {
  return text
    // Characters XML 1.0 does not allow at all.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const secs = (ms: number) => (ms / 1000).toFixed(3);

export function renderJUnit(title: string, runs: readonly JUnitRun[], options: { timestamp?: string; masker?: Masker } = {}): string {
  const esc = (text: string) => xmlEscape(options.masker ? options.masker.mask(text) : text);
  const suites: { name: string; runs: JUnitRun[] }[] = [];
  for (const r of runs) {
    const name = r.sectionPath.length ? r.sectionPath.join(' › ') : title;
    const last = suites.find((s) => s.name === name);
    if (last) last.runs.push(r);
    else suites.push({ name, runs: [r] });
  }
  const count = (rs: readonly JUnitRun[], ...v: string[]) => rs.filter((r) => v.includes(r.verdict)).length;
  const total = (rs: readonly JUnitRun[]) => rs.reduce((s, r) => s + r.durationMs, 0);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="${esc(title)}" tests="${runs.length}" failures="${count(runs, 'fail')}" errors="${count(runs, 'error')}" skipped="${count(runs, 'skipped')}" time="${secs(total(runs))}">`);
  for (const s of suites) {
    const ts = options.timestamp ?? s.runs[0]?.startedAt;
    out.push(`  <testsuite name="${esc(s.name)}" tests="${s.runs.length}" failures="${count(s.runs, 'fail')}" errors="${count(s.runs, 'error')}" skipped="${count(s.runs, 'skipped')}" time="${secs(total(s.runs))}"${ts ? ` timestamp="${esc(ts.replace(/\.\d+Z$/, ''))}"` : ''}>`);
    for (const r of s.runs) {
      const name = r.label ? `${r.checkId} — ${r.label}` : r.checkId;
      const open = `    <testcase classname="${esc(s.name)}" name="${esc(name)}" time="${secs(r.durationMs)}"`;
      const body = [r.reason, r.next ? `next: ${r.next}` : '', r.details ?? ''].filter(Boolean).join('\n\n');
      switch (r.verdict) {
        case 'fail':
          out.push(`${open}>`, `      <failure message="${esc(r.reason)}" type="fail">${esc(body)}</failure>`, '    </testcase>');
          break;
        case 'error':
          out.push(`${open}>`, `      <error message="${esc(r.reason)}" type="error">${esc(body)}</error>`, '    </testcase>');
          break;
        case 'skipped':
          out.push(`${open}>`, `      <skipped message="${esc(r.reason)}"/>`, '    </testcase>');
          break;
        case 'warn':
          out.push(`${open}>`, `      <system-out>${esc(`warning: ${body}`)}</system-out>`, '    </testcase>');
          break;
        default:
          out.push(`${open}/>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
