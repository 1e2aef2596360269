/** The extension's LogOutputChannel, adapted to the core's Logger. Every line is masked first. */
import * as vscode from 'vscode';
import type { Logger } from '../core/checks/types';
import { Masker } from '../core/secrets/mask';

export class MaskingLogger implements Logger {
  private readonly secrets = new Set<string>();
  private masker = new Masker([]);
  constructor(readonly channel: vscode.LogOutputChannel) {}

  /** Adds secret values that must never reach the log (raw, URL-encoded or base64). */
  addSecrets(values: Iterable<string>): void {
    let added = false;
    for (const v of values) if (v && !this.secrets.has(v)) { this.secrets.add(v); added = true; }
    if (added) this.masker = new Masker(this.secrets);
  }

  trace(msg: string): void { this.channel.trace(this.masker.mask(msg)); }
  info(msg: string): void { this.channel.info(this.masker.mask(msg)); }
  warn(msg: string): void { this.channel.warn(this.masker.mask(msg)); }
  error(msg: string): void { this.channel.error(this.masker.mask(msg)); }
}
