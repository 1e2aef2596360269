// The try-it tour (scripts/try.sh): the demo workspace in a real VS Code, with screenshots of the
// main flows into $RUNBOOK_TOUR_SHOTS: the runbook with its sections, a section run with the
// failing check's red output and reason, the agent-code diagnostics and quick fix, the evidence
// report. Every step waits for what it needs to see on screen (no fixed sleeps), so the pictures
// come out the same on a fast or a busy machine.
const path = require('path');

module.exports = async ({ page, shot, log }) => {
  const dir = process.env.RUNBOOK_TOUR_SHOTS;
  // The pointer rests on the activity bar's empty space first: no hover card, no cell toolbar in the picture.
  const snap = async (name) => {
    await page.mouse.move(25, 420);
    await page.waitForTimeout(300);
    const f = path.join(dir, `${name}.png`);
    await page.screenshot({ path: f });
    log('screenshot', f);
  };

  /** Polls `probe` until it returns something truthy; throws with `what` after `ms`. */
  const until = async (what, probe, ms = 60000) => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await probe().catch(() => undefined);
      if (v) return v;
      if (Date.now() > end) { await shot(`waited-for-${what}`).catch(() => {}); throw new Error(`timed out waiting for ${what}`); }
      await page.waitForTimeout(200);
    }
  };
  /** The frame (a notebook webview) that shows `text`, if any. */
  const frameWith = async (text) => {
    for (const f of page.frames()) if (await f.getByText(text, { exact: false }).count().catch(() => 0)) return f;
    return undefined;
  };
  const quickInputOpen = () => page.locator('.quick-input-widget').isVisible();
  const noQuickInput = async () => !(await quickInputOpen());
  const statusBarText = () => page.locator('.part.statusbar').innerText();
  const toasts = async () => (await page.locator('.notifications-toasts .notification-toast').allInnerTexts()).join(' | ');
  /** Closes every notification toast with its own close button (no palette: the focus may be in a webview). */
  const clearToasts = async () => {
    const toast = page.locator('.notifications-toasts .notification-toast');
    for (let i = 0; i < 10 && (await toast.count()); i++) {
      await toast.first().hover().catch(() => {});
      await toast.first().locator('.codicon-notifications-clear').first().click({ force: true, timeout: 2000 }).catch(() => {});
    }
    if (await toast.count()) await command('Notifications: Clear All Notifications');
  };

  /** Runs a command from the palette (picked by its exact title) and waits for the palette to close. */
  const command = async (title, { waitClosed = true } = {}) => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    // With the focus inside a webview (the report preview) F1 may not reach the workbench: take
    // the focus back to the workbench's own document and press it again.
    if (!(await until('the command palette', quickInputOpen, 3000).catch(() => false))) {
      await page.evaluate(() => { if (document.activeElement instanceof HTMLElement) document.activeElement.blur(); document.querySelector('.monaco-workbench')?.focus?.(); });
      await page.keyboard.press('F1');
      await until('the command palette', quickInputOpen, 10000);
    }
    await page.keyboard.type(title);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: 15000 });
    await row.click();
    if (waitClosed) await until(`"${title}" to start`, noQuickInput, 10000).catch(() => {});
  };
  /** Opens a workspace file (its tab, else through Quick Open) and waits for its editor tab to be active. */
  const open = async (rel) => {
    await page.keyboard.press('Escape');
    const tab = page.locator('.tab', { hasText: path.basename(rel) }).first();
    if (await tab.count()) { // already open: its tab (Quick Open's file search is slow on a busy machine)
      await tab.click();
      await until(`the editor of ${rel}`, async () => (await page.locator('.tab.active', { hasText: path.basename(rel) }).count()) > 0);
      return;
    }
    await page.keyboard.press('Control+P');
    await until('quick open', quickInputOpen, 10000);
    await page.keyboard.type(rel);
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${path.basename(rel).replace(/\./g, '\\.')}$`) }) }).first();
    await row.waitFor({ timeout: 60000 }); // file search starts with the workbench
    await row.click();
    await until(`the editor of ${rel}`, async () => (await page.locator('.tab.active', { hasText: path.basename(rel) }).count()) > 0);
  };
  const notebookRow = (index) => page.locator(`.notebook-editor .monaco-list-row[data-index="${index}"]`);

  await until('the workbench', () => page.locator('.part.statusbar').isVisible(), 120000);

  // 1. The runbook, front matter collapsed, its sections in the Explorer.
  await open('engramia-cutover.runbook.md');
  await until('the rendered markdown', () => frameWith('Pre-cutover checklist'));
  await until('the front matter collapsed', async () => (await notebookRow(0).locator('.input-collapsed').count()) > 0, 30000).catch(async (e) => {
    log(`${e.message}: collapsing it from the tour`);
    await notebookRow(0).click({ position: { x: 30, y: 10 } });
    await command('Notebook: Collapse Cell Input');
    await until('the front matter collapsed', async () => (await notebookRow(0).locator('.input-collapsed').count()) > 0, 10000);
  });
  const sectionsPane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'Runbook Sections' }) });
  const sectionsHeader = sectionsPane.locator('.pane-header');
  await sectionsHeader.waitFor({ timeout: 30000 });
  if ((await sectionsHeader.getAttribute('aria-expanded')) !== 'true') await sectionsHeader.click();
  const checklistRow = sectionsPane.locator('.monaco-list-row', { hasText: 'Pre-cutover checklist' }).first();
  await until('the sections in the Runbook Sections view', () => checklistRow.isVisible());
  // Open the first section one level (its twistie: a click on the label would reveal the cell).
  if ((await checklistRow.getAttribute('aria-expanded')) !== 'true') await checklistRow.locator('.monaco-tl-twistie').click();
  await until('the subsections of the checklist', () => sectionsPane.locator('.monaco-list-row', { hasText: 'Data' }).first().isVisible(), 15000);
  // The file tree stays as it is; the editor keeps the first cells in view.
  await snap('01-runbook');

  // 2. Run the "Data" section: it stops at its failing check, which is revealed with its output.
  await command('Runbook: Run Section', { waitClosed: false });
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Run section' }).waitFor({ timeout: 15000 });
  await page.keyboard.type('Data');
  const dataRow = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^\s*Data\s*$/ }) }).first();
  await dataRow.waitFor({ timeout: 10000 });
  await dataRow.click();
  await until('the section picker to close', noQuickInput, 15000);
  const finished = await until('the end of the section run', async () => {
    if (await quickInputOpen()) {
      log('a prompt appeared during the run; dismissing it');
      await shot('prompt-during-run');
      await page.keyboard.press('Escape');
    }
    const text = `${await statusBarText()} ${await toasts()}`;
    return /Section "Data"[^\n]*(stopped|passed|failed)/.test(text) && text;
  }, 180000);
  log('run finished:', finished.replace(/\s+/g, ' ').slice(0, 300));
  // The run reveals the failing check: its item and cell are selected ("Cell 22 (2 selected)").
  await until('the failing check revealed', async () => /Cell \d+ \(2 selected\)/.test(await statusBarText()), 30000);
  const failed = await until('the failing check\'s output', () => frameWith('✘ failed'));
  const output = failed.getByText('✘ failed').first();
  // The product puts the output on screen (a cell taller than the screen included); the tour only
  // looks: its first line in the top 60 %, with room below it for the next step and the details.
  const editorBox = await page.locator('.notebook-editor').first().boundingBox();
  const inView = async () => {
    const b = await output.boundingBox();
    return !!b && b.y >= editorBox.y + 40 && b.y <= editorBox.y + editorBox.height * 0.6;
  };
  await until('the failing output on screen after the reveal', inView, 10000);
  await clearToasts();
  await snap('02-failing-check');

  // 3. The sample agent: the analyzer's diagnostics and CodeLens.
  await open('agents_app/agent.py');
  await until('the analyzer\'s diagnostics', async () => (await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error, .monaco-editor .squiggly-info').count()) > 0);
  await until('the CodeLens', async () => (await page.locator('.monaco-editor .codelens-decoration').count()) > 0, 30000);
  await snap('03-agent-diagnostics');

  // 4. A quick fix on the first finding.
  await page.keyboard.press('F8');
  await until('the problem peek', () => page.locator('.monaco-editor .peekview-widget, .monaco-editor .marker-widget').first().isVisible(), 10000).catch(() => {});
  await page.keyboard.press('Escape');
  // Ctrl+. goes to the focused editor; on a slow machine the focus may still be on its way back
  // from the peek view, so each try first puts the cursor on the finding's line.
  const quickFixMenu = () => page.locator('.action-widget').first().isVisible();
  for (let attempt = 0; ; attempt++) {
    await page.keyboard.press('Control+.');
    if (await until('the quick fix menu', quickFixMenu, 5000).catch(() => false)) break;
    if (attempt === 3) throw new Error('timed out waiting for the quick fix menu');
    await page.locator('.monaco-editor .view-line', { hasText: 'instructions=' }).first().click();
  }
  await snap('04-quick-fix');
  await page.keyboard.press('Escape');

  // 5. The evidence report of the run, beside the runbook.
  await open('engramia-cutover.runbook.md');
  await command('Runbook: Export Evidence Report');
  await until('the report preview', async () => (await page.locator('.tab', { hasText: 'report.md' }).count()) > 0, 30000);
  await until('the report text', () => frameWith('Cutover report'), 30000);
  await clearToasts();
  // The preview's webview is laid out again when the toasts go; let it settle before looking.
  await page.waitForTimeout(1500);
  await until('the report text on screen', async () => {
    for (const f of page.frames()) if (await f.getByText('Cutover report', { exact: false }).first().isVisible().catch(() => false)) return true;
    return false;
  }, 30000);
  await snap('05-report');
};
