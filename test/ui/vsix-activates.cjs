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

  // The notebook list is virtualised: scroll until a section's progress (a code-cell status bar
  // item) is drawn, then hover markdown rows until one shows the cell toolbar's "Tick" button.
  const progress = page.locator('.notebook-editor .cell-statusbar-container', { hasText: /\d+\/\d+/ });
  const tick = page.locator('.notebook-editor .cell-title-toolbar .action-label[aria-label^="Tick Checklist Item"]');
  const rows = page.locator('.notebook-editor .monaco-list-row.markdown-cell-row');
  const list = await page.locator('.notebook-editor .monaco-list').first().boundingBox();
  let sawProgress = false, ticked = false;
  for (let i = 0; i < 40 && !ticked; i++) {
    sawProgress ||= (await progress.count()) > 0;
    const n = await rows.count();
    for (let r = 0; r < n && !ticked; r++) {
      const row = rows.nth(r);
      const b = await row.boundingBox().catch(() => null);
      if (!b || b.y < list.y || b.y + 10 > list.y + list.height) continue;
      await row.hover({ position: { x: Math.min(200, b.width / 2), y: Math.min(12, b.height / 2) } }).catch(() => {});
      await sleep(250);
      const visible = tick.filter({ visible: true });
      if ((await visible.count()) > 0) {
        await shot('tick-button');
        await visible.first().click();
        ticked = true;
      }
    }
    if (!ticked) {
      await page.mouse.move(list.x + list.width / 2, list.y + list.height / 2);
      await page.mouse.wheel(0, 400);
      await sleep(400);
    }
  }
  if (!ticked) throw new Error('no "Tick Checklist Item" button appeared on any checklist cell');
  if (!sawProgress) throw new Error('no section progress (n/m) is shown');
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
