// Drive script for the launcher's UI mode (real VS Code + the packaged VSIX, no test payload):
// a person's path through the product. "Runbook: New from Template…" → pick the Engramia
// runbook → the notebook opens with sections, checkboxes and progress → click one checkbox in
// the cell status bar → save → the new file differs from the template in exactly that box.
// Throws (exit 1) when any step does not happen.
const fs = require('fs');
const path = require('path');

module.exports = async ({ page, shot, palette, log, sleep }) => {
  const { workspace, base } = JSON.parse(process.env.RV_CONFIG);
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

  const notDone = page.locator('.notebook-editor .cell-statusbar-container', { hasText: 'Not done' }).first();
  await notDone.waitFor({ timeout: 20000 });
  const progress = await page.locator('.notebook-editor .cell-statusbar-container', { hasText: /\d+\/\d+/ }).count();
  if (!progress) throw new Error('no section progress (n/m) is shown');
  await notDone.locator('.cell-status-item', { hasText: 'Not done' }).first().click();
  await sleep(1500);
  await shot('box-ticked');
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
