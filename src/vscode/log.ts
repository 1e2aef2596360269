/** The extension's LogOutputChannel, adapted to the core's Logger. Every line is masked first. */
import * as vscode from 'vscode';
import type { Logger } from '../core/checks/types';

export class MaskingLogger implements Logger {
  private secrets = new Set<string>();
  constructor(readonly channel: vscode.LogOutputChannel) {}

  /** Adds secret values that must never reach the log. */
  addSecrets(values: Iterable<string>): void {
    for (const v of values) if (v && v.length >= 4) this.secrets.add(v);
  }

  private m(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('••••••');
    return out;
  }
  trace(msg: string): void { this.channel.trace(this.m(msg)); }
  info(msg: string): void { this.channel.info(this.m(msg)); }
  warn(msg: string): void { this.channel.warn(this.m(msg)); }
  error(msg: string): void { this.channel.error(this.m(msg)); }
}
