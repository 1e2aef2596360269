// Runs inside the real extension host (as the extensionTestsPath of bench/activation.ts): activates
// the empty baseline extension and Runbook Notebooks, in the order given by RUNBOOK_BENCH_ORDER,
// each timed from ext.activate() (VS Code loads the module and calls activate) until it resolves;
// then times the first use of the runbook features (the first access to the API loads them).
// RUNBOOK_BENCH_WARMUP names an extension activated first, untimed.
// Writes { activation: { id: ms }, firstUse: ms, alreadyActive: [ids] } to RUNBOOK_BENCH_OUT.
const fs = require('fs');
const vscode = require('vscode');
const { performance } = require('perf_hooks');

exports.run = async function run() {
  const order = (process.env.RUNBOOK_BENCH_ORDER || '').split(',').filter(Boolean);
  const result = { activation: {}, alreadyActive: [], firstUse: undefined };
  // The first activation in a host pays for the host getting ready: a copy of the empty extension
  // takes that, untimed.
  const warmup = process.env.RUNBOOK_BENCH_WARMUP && vscode.extensions.getExtension(process.env.RUNBOOK_BENCH_WARMUP);
  if (warmup) await warmup.activate();
  // let the host finish its own start-up work (built-in extensions activating) before timing
  await new Promise((r) => setTimeout(r, Number(process.env.RUNBOOK_BENCH_SETTLE_MS || 3000)));
  for (const id of order) {
    const ext = vscode.extensions.getExtension(id);
    if (!ext) throw new Error(`extension ${id} is not loaded`);
    if (ext.isActive) { result.alreadyActive.push(id); continue; }
    const t0 = performance.now();
    await ext.activate();
    result.activation[id] = performance.now() - t0;
  }
  const api = vscode.extensions.getExtension('runbook-notebooks.runbook-notebooks').exports;
  const t1 = performance.now();
  void api.state; // loads dist/runbooks.js and starts the runbook features
  result.firstUse = performance.now() - t1;
  fs.writeFileSync(process.env.RUNBOOK_BENCH_OUT, JSON.stringify(result));
};
