/**
 * Workspace commands: "Runbook: Scan Workspace for Agent Findings" (progress, cancel, Problems
 * view, summary) and "Runbook: Fix All Agent Findings in Workspace" (a refactor preview: every
 * edit carries `needsConfirmation`).
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { scanWorkspace, ScanCancelled, type WorkspaceFinding } from '../../core/analyzer/workspace';
import { analyzeText } from '../../core/analyzer/document';
import { ruleInfo } from '../../core/analyzer/rules';
import { plural } from '../../core/runbook/plural';
import { AnalysisService, DIAGNOSTIC_SOURCE, type Entry } from './service';
import { AgentDiagnostics, APPLY_FIX_COMMAND } from './providers';

export const SCAN_COMMAND = 'runbook.analysis.scanWorkspace';
export const FIX_WORKSPACE_COMMAND = 'runbook.analysis.fixAllInWorkspace';

export interface WorkspaceScan {
  readonly findings: WorkspaceFinding[];
  readonly files: number;
  readonly analyzed: number;
  /** Files that could not be read or parsed (their findings are unknown). */
  readonly errors: readonly { file: string; error: string }[];
}

/** Scans every workspace folder with progress; undefined when cancelled. */
export async function scanAllFolders(service: AnalysisService, title: string, rules?: readonly string[], token?: vscode.CancellationToken): Promise<WorkspaceScan | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const py = await service.getParser();
  const options = await service.options();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, ptoken) => {
    const ac = new AbortController();
    const subs = [ptoken.onCancellationRequested(() => ac.abort()), ...(token ? [token.onCancellationRequested(() => ac.abort())] : [])];
    const findings: WorkspaceFinding[] = [];
    const errors: { file: string; error: string }[] = [];
    let files = 0;
    let analyzed = 0;
    try {
      for (const folder of folders) {
        if (folder.uri.scheme !== 'file') continue;
        let last = 0;
        const r = await scanWorkspace(folder.uri.fsPath, {
          ...options,
          ...(rules ? { rules: options.rules?.filter((x) => rules.includes(x)) ?? [] } : {}),
          parser: py,
          ...service.scanOptions(folder),
          signal: ac.signal,
          onProgress: (done, total, file) => {
            const pct = (done / Math.max(total, 1)) * 100;
            progress.report({ message: `${folder.name}: ${file}`, increment: (pct - last) / Math.max(folders.length, 1) });
            last = pct;
          },
        });
        findings.push(...r.findings);
        errors.push(...r.errors.map((e) => ({ file: join(folder.uri.fsPath, e.file), error: e.error })));
        files += r.filesFound;
        analyzed += r.filesAnalyzed;
      }
      return { findings, files, analyzed, errors };
    } catch (err) {
      if (err instanceof ScanCancelled) return undefined;
      throw err;
    } finally {
      for (const s of subs) s.dispose();
    }
  });
}

export function registerAnalysisCommands(service: AnalysisService, diagnostics: AgentDiagnostics, log: vscode.LogOutputChannel): vscode.Disposable[] {
  const scan = vscode.commands.registerCommand(SCAN_COMMAND, async () => {
    const result = await scanAllFolders(service, 'Engramia: scanning Python agent code');
    if (!result) {
      void vscode.window.showInformationMessage('Engramia scan cancelled.');
      return undefined;
    }
    // Problems view: scan findings for files that are not open (open ones are analysed live).
    const byFile = new Map<string, WorkspaceFinding[]>();
    for (const f of result.findings) {
      if (f.cell !== undefined) continue; // notebooks are shown when opened
      const list = byFile.get(f.absolutePath) ?? [];
      list.push(f);
      byFile.set(f.absolutePath, list);
    }
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));
    diagnostics.collection.forEach((uri) => {
      if (!open.has(uri.fsPath) && uri.scheme === 'file' && !byFile.has(uri.fsPath)) diagnostics.collection.delete(uri);
    });
    for (const [file, list] of byFile) {
      if (open.has(file)) continue;
      diagnostics.setFromScan(vscode.Uri.file(file), list.map((f) => {
        const d = new vscode.Diagnostic(new vscode.Range(f.line - 1, f.column - 1, f.endLine - 1, f.endColumn - 1), f.message,
          f.severity === 'error' ? vscode.DiagnosticSeverity.Error : f.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = { value: f.rule, target: diagnostics.docTarget(f.rule) };
        return d;
      }));
    }
    const filesWith = new Set(result.findings.map((f) => f.file)).size;
    for (const e of result.errors) log.warn(`analysis: ${e.file}: ${e.error}`);
    const notAnalysed = result.errors.length ? ` ${plural(result.errors.length, 'file was', 'files were')} not analysed (see the log).` : '';
    const summary = !result.files
      ? 'Engramia: no Python files found.'
      : result.findings.length
        ? `Engramia: ${plural(result.findings.length, 'finding')} in ${plural(filesWith, 'file')} (${result.analyzed} of ${result.files} Python files analysed).${notAnalysed}`
        : `Engramia: no findings${notAnalysed ? ' in the files analysed' : ''} (${result.analyzed} of ${result.files} Python files analysed).${notAnalysed}`;
    log.info(summary);
    if (result.findings.length || result.errors.length) {
      void vscode.window.showWarningMessage(summary, 'Show Problems', 'Fix All…').then((choice) => {
        if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
        if (choice === 'Fix All…') void vscode.commands.executeCommand(FIX_WORKSPACE_COMMAND);
      });
    } else void vscode.window.showInformationMessage(summary);
    return result;
  });

  const fixWorkspace = vscode.commands.registerCommand(FIX_WORKSPACE_COMMAND, async () => {
    const result = await scanAllFolders(service, 'Engramia: preparing fixes');
    if (!result) return false;
    const py = await service.getParser();
    const options = await service.options();
    const edit = new vscode.WorkspaceEdit();
    const skipped: string[] = [];
    let files = 0;
    let fixes = 0;
    const seen = new Set<string>();
    for (const f of result.findings) {
      if (!f.fixable || seen.has(f.absolutePath)) continue;
      seen.add(f.absolutePath);
      if (f.cell !== undefined) {
        skipped.push(`${f.file} (notebook: open it and use "Fix all in notebook")`);
        continue;
      }
      const uri = vscode.Uri.file(f.absolutePath);
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === f.absolutePath);
      const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
      const r = analyzeText(py, text, options);
      if (r.hasSyntaxErrors) {
        skipped.push(`${f.file} (syntax errors)`);
        continue;
      }
      const edits = r.fixAll();
      if (!edits.length) continue;
      files++;
      fixes += r.findings.filter((x) => x.fix).length;
      const rules = [...new Set(r.findings.filter((x) => x.fix).map((x) => x.rule))];
      // one label for every entry: in the Refactor Preview ("Group Changes by Type") a single toggle ticks them all
      const metadata: vscode.WorkspaceEditEntryMetadata = {
        needsConfirmation: true,
        label: 'Engramia agent fixes',
        description: `${f.file}: ${rules.map((x) => `${x} ${ruleInfo(x).name}`).join(', ')}`,
      };
      const entry: Entry = { key: uri.toString(), version: 'scan', result: r, uris: [uri], notebook: false };
      AnalysisService.toWorkspaceEdit(entry, edits, edit, metadata);
    }
    if (skipped.length) log.warn(`fix all in workspace skipped: ${skipped.join('; ')}`);
    if (!files) {
      void vscode.window.showInformationMessage(`Engramia: nothing to fix automatically${skipped.length ? ` (${plural(skipped.length, 'file')} skipped, see the log)` : ''}.`);
      return false;
    }
    // The fixes change runtime behaviour: the operator reviews them (needsConfirmation entries open the
    // Refactor Preview, where they start unticked) or applies them all after a modal confirmation.
    const choice = await vscode.window.showWarningMessage(
      `Engramia: ${plural(fixes, 'fix')} in ${plural(files, 'file')} (unsafe: they change runtime behaviour).`,
      { modal: true, detail: 'Review opens the Refactor Preview: tick the "Engramia agent fixes" group (or single changes), then Apply. Files are not saved.' },
      'Review…',
      'Apply All',
    );
    if (!choice) return false;
    if (choice === 'Apply All') {
      const plain = new vscode.WorkspaceEdit();
      for (const [uri, edits] of edit.entries()) plain.set(uri, edits);
      const ok = await vscode.workspace.applyEdit(plain);
      if (ok) void vscode.window.showInformationMessage(`Engramia: ${plural(fixes, 'fix')} in ${plural(files, 'file')} applied (files are not saved).`);
      return ok;
    }
    // Not { isRefactoring: true }: with it VS Code saves every file of a multi-file edit
    // (files.refactoring.autoSave, on by default), and the operator is told the files are not saved.
    const applied = await vscode.workspace.applyEdit(edit);
    if (applied) void vscode.window.showInformationMessage(`Engramia: ${plural(fixes, 'fix')} in ${plural(files, 'file')} applied (files are not saved).`);
    return applied;
  });

  const applyFix = vscode.commands.registerCommand(APPLY_FIX_COMMAND, async (uri: vscode.Uri, _version: string, rule: string, startOffset: number) => {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri));
    const entry = await service.analyze(document);
    if (!entry) return false;
    const f = AnalysisService.findingsFor(entry, document).find((x) => x.rule === rule && x.range.startOffset === startOffset)
      ?? AnalysisService.findingsFor(entry, document).find((x) => x.rule === rule);
    if (!f?.fix) return false;
    return vscode.workspace.applyEdit(AnalysisService.toWorkspaceEdit(entry, f.fix.edits));
  });

  return [scan, fixWorkspace, applyFix];
}

/** The `analyzeWorkspace` service for the `analyze` check kind (live editor text is not used: files on disk). */
export function analyzeWorkspaceService(service: AnalysisService): (rules: readonly string[], signal: AbortSignal) => Promise<readonly { file: string; line: number; column: number; rule: string; message: string }[]> {
  return async (rules, signal) => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const py = await service.getParser();
    const options = await service.options();
    const out: { file: string; line: number; column: number; rule: string; message: string }[] = [];
    for (const folder of folders) {
      if (folder.uri.scheme !== 'file') continue;
      const r = await scanWorkspace(folder.uri.fsPath, { ...options, rules: rules as never, parser: py, ...service.scanOptions(folder), signal });
      // a file that could not be analysed may hide findings: the check must not pass
      if (r.errors.length) throw new Error(`${plural(r.errors.length, 'Python file')} not analysed (${r.errors[0]!.file}: ${r.errors[0]!.error})`);
      out.push(...r.findings.map((f) => ({ file: join(folder.uri.fsPath, f.file), line: f.line, column: f.column, rule: f.rule, message: f.message })));
    }
    return out;
  };
}
