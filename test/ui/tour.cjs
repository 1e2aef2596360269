// The try-it tour (scripts/try.sh): the demo workspace in a real VS Code, with screenshots of the
// main flows into $RUNBOOK_TOUR_SHOTS: the runbook, a section run with a failing check and its
// reason, the agent-code diagnostics and quick fix, the evidence report.
const path = require('path');

module.exports = async ({ page, palette, openFile, log, sleep }) => {
  const dir = process.env.RUNBOOK_TOUR_SHOTS;
  const snap = async (name) => { const f = path.join(dir, `${name}.png`); await page.screenshot({ path: f }); log('screenshot', f); };
  const dismissPrompts = async (ms) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await page.locator('.quick-input-widget').isVisible().catch(() => false)) { log('a prompt appeared; dismissing it'); await page.keyboard.press('Escape'); }
      await sleep(300);
    }
  };

  await openFile('engramia-cutover.runbook.md');
  await sleep(3500);
  await snap('01-runbook');

  await palette('Runbook: Run Section');
  await page.waitForSelector('.quick-input-list .monaco-list-row', { timeout: 10000 });
  await page.keyboard.type('Data');
  await sleep(400);
  await page.keyboard.press('Enter');
  await dismissPrompts(8000);
  await palette('Runbook: Show First Failing Item');
  await sleep(1500);
  await snap('02-failing-check');

  await openFile('agents_app/agent.py');
  await sleep(4000);
  await snap('03-agent-diagnostics');
  await page.keyboard.press('F8');
  await sleep(800);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+.');
  await sleep(1500);
  await snap('04-quick-fix');
  await page.keyboard.press('Escape');

  await openFile('engramia-cutover.runbook.md');
  await palette('Runbook: Export Evidence Report');
  await sleep(2500);
  await snap('05-report');
};
