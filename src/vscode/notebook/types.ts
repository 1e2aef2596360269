/** The extension's id (`publisher.name` in package.json). */
export const EXTENSION_ID = 'runbook-notebooks.runbook-notebooks';

/** Notebook types this extension contributes (package.json `contributes.notebooks`). */
export const RUNBOOK_NOTEBOOK = 'runbook';
/** The same format offered for any `.md` through "Open as Runbook" (priority: option). */
export const RUNBOOK_MARKDOWN_NOTEBOOK = 'runbook-markdown';
export const NOTEBOOK_TYPES = [RUNBOOK_NOTEBOOK, RUNBOOK_MARKDOWN_NOTEBOOK] as const;

export function isRunbookNotebook(notebook: { notebookType: string } | undefined): boolean {
  return !!notebook && (NOTEBOOK_TYPES as readonly string[]).includes(notebook.notebookType);
}
