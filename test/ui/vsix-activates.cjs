// Drive script for the launcher's UI mode (real VS Code + the packaged VSIX, no test payload):
// a person's path through the product. "Runbook: New from Template…" → pick the Engramia
// runbook → the notebook opens with sections, checkboxes and progress → click one checkbox in
// the cell status bar → save → the new file differs from the template in exactly that box.
// Throws (exit 1) when any step does not happen.
const fs = require('fs');
const path = require('path');

module.exports = async ({ page, shot, palette, log, sleep, workspace }) => {
  const root = process.env.RUNBOOK_REPO_ROOT;
  const template = fs.readFileSync(path.join(root, 'runbooks', 'engramia-verification-and-rollback.runbook.md'));

  await palette('Runbook: New from Template');
  await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 15000 });
  await page.keyboard.type('Engramia');
  await sleep(500);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.notebook-editor', { timeout: 30000 });
  await sleep(4000);
  const created = fs.readdirSync(workspace).find((f) => /^engramia-verification-and-rollback-\d{4}-\d{2}-\d{2}.*\.runbook\.md$/.test(f));
  if (!created) throw new Error(`no dated runbook was created in ${workspace}: ${fs.readdirSync(workspace).join(', ')}`);
  log('created', created);
  await shot('runbook-opened');

  // Walk the cells with the keyboard as a person would (the focused cell shows its toolbar) until a
  // checklist item offers "Tick Checklist Item"; click it. Section progress (n/m) must be shown on the way.
  const list = await page.locator('.notebook-editor .monaco-list').first().boundingBox();
  await page.mouse.click(list.x + 8, list.y + 30);
  await page.keyboard.press('Escape');
  let ticked = false;
  for (let i = 0; i < 60 && !ticked; i++) {
    const focused = page.locator('.notebook-editor .monaco-list-row.focused');
    const button = focused.locator('.cell-title-toolbar .action-label[aria-label^="Tick Checklist Item"]');
    if ((await button.count()) > 0 && (await button.first().isVisible())) {
      await shot('tick-button');
      await button.first().click({ timeout: 5000 });
      const untick = focused.locator('.cell-title-toolbar .action-label[aria-label^="Untick Checklist Item"]');
      for (let w = 0; w < 30 && !ticked; w++) { ticked = (await untick.count()) > 0; if (!ticked) await sleep(100); }
      log(ticked ? `ticked a checklist item from the cell toolbar (cell ${i + 1})` : 'the click did not tick the item');
      break;
    }
    await page.keyboard.press('ArrowDown');
    await sleep(250);
  }
  if (ticked) {
    // The rendered markdown (in the notebook's webview) shows the box checked once focus moves on.
    await page.keyboard.press('ArrowDown');
    await sleep(1500);
    const checked = [];
    for (const f of page.frames()) checked.push(...(await f.$$eval('input.runbook-task', (els) => els.map((e) => e.checked)).catch(() => [])));
    if (!checked.includes(true)) throw new Error(`the rendered checklist shows no checked box (${checked.length} boxes drawn)`);
    log(`rendered checkboxes: ${checked.length}, checked: ${checked.filter(Boolean).length}`);
  }
  if (!ticked) throw new Error('no "Tick Checklist Item" button appeared on any checklist cell');
  // Section progress, visible: the Explorer's "Runbook Sections" view lists each section with n/m.
  const header = page.locator('.pane-header', { hasText: 'Runbook Sections' }).first();
  await header.waitFor({ timeout: 10000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const sectionRow = page.locator('.pane-body .monaco-list-row .label-description', { hasText: /^\d+\/\d+/ }).first();
  await sectionRow.waitFor({ state: 'visible', timeout: 10000 });
  const doneRow = page.locator('.pane-body .monaco-list-row .label-description', { hasText: /^1\/\d+/ });
  for (let w = 0; w < 30 && (await doneRow.count()) === 0; w++) await sleep(200);
  if ((await doneRow.count()) === 0) throw new Error('the ticked item does not show in the Runbook Sections progress (no "1/n")');
  log(`section progress shown: ${await doneRow.first().innerText()}`);
  await shot('sections-view');
  await sleep(1500);
  await shot('box-ticked');
  await page.locator('.notebook-editor .monaco-list').first().click({ position: { x: 5, y: 5 } }).catch(() => {});
  await page.keyboard.press('Control+S');
  await sleep(2500);
  const saved = fs.readFileSync(path.join(workspace, created));
  if (saved.length !== template.length) throw new Error(`saved file length ${saved.length} differs from the template's ${template.length}`);
  const diffs = [];
  for (let i = 0; i < saved.length; i++) if (saved[i] !== template[i]) diffs.push(i);
  if (diffs.length !== 1) throw new Error(`expected exactly one changed byte, found ${diffs.length}`);
  const at = diffs[0];
  const context = template.subarray(Math.max(0, at - 2), at + 2).toString();
  if (template[at] !== 0x20 || saved[at] !== 0x78 || !/\[ \]/.test(context)) throw new Error(`the changed byte is not a checkbox: ${JSON.stringify(context)}`);
  log(`saved: exactly one byte changed at ${at} ([ ] → [x])`);
  await shot('saved');
};
