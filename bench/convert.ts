/**
 * Guide → runbook conversion speed on a generated ~1 MB markdown guide (sections, checklist items
 * with inline commands, multi-line curl blocks, pass conditions, Python blocks). Goal: ≤ 200 ms.
 * Also shown (no goal): the same guide as plain text copied from a page, and a 256 kB HTML page
 * (node-html-markdown does most of that work).
 */
import { createHash } from 'node:crypto';
import { convertGuide } from '../src/core/convert';
import { blockTokenPieces, lineStarts } from '../src/core/convert/convert';
import { median, medianMs, type BenchReport } from './index';

export function generateGuide(targetBytes = 1_000_000): string {
  const parts: string[] = ['# Generated migration guide', '', 'Follow every step in order.', ''];
  let size = 60;
  for (let n = 1; size < targetBytes; n++) {
    const block = [
      `## Step ${n}: move shard ${n % 13}`,
      '',
      `Drain the writers of shard ${n} and check the replica lag before you continue.`,
      '',
      `- [ ] \`curl -s https://api.example.test/v1/shards/${n}/health\` returns 200 ok.`,
      `- [ ] \`pip show shard-tool\` reports \`2.${n % 10}.1\` on every host.`,
      `- [ ] The shard owner for ${n} has been told.`,
      '',
      '```bash',
      `curl -X POST "https://api.example.test/v1/shards/${n}/move" \\`,
      '  -H "Authorization: Bearer $SHARD_API_KEY" \\',
      `  -d '{"target": "zone-${n % 3}", "dryRun": false}'`,
      '```',
      '',
      `Pass condition: the response contains ${n % 4} errors and \`moved_count\` ≥ expected.`,
      '',
      '```python',
      'import os',
      `print("shard ${n}", os.environ.get("SHARD_API_KEY") is not None)`,
      '```',
      '',
    ].join('\n');
    parts.push(block);
    size += block.length + 1;
  }
  return parts.join('\n');
}

export async function run(): Promise<BenchReport> {
  const md = generateGuide();
  const opts = { source: 'guide.md', convertedAt: '2026-01-01T00:00:00Z' } as const;
  const mdMs = medianMs(() => convertGuide(md, { ...opts, format: 'markdown' }), 7, 2);
  // What the runbook is, to compare across commits: a speed-up must not change a byte of it.
  const sha = createHash('sha256').update(convertGuide(md, { ...opts, format: 'markdown' }).text).digest('hex');
  // CPU time too: on a loaded machine the wall time mostly measures waiting for a core.
  // Page faults too: memory the process touches for the first time (new heap pages, the runbook's
  // large string) costs a fault each, which on a small VM is a large part of the CPU time.
  const cpu: number[] = [];
  const faults: number[] = [];
  for (let i = 0; i < 5; i++) {
    const f0 = process.resourceUsage().minorPageFault;
    const c0 = process.cpuUsage();
    convertGuide(md, { ...opts, format: 'markdown' });
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    faults.push(process.resourceUsage().minorPageFault - f0);
  }
  const mdCpu = median(cpu);
  // Breakdown: markdown-it's block parse of the guide alone (the converter walks these tokens).
  const parseCpu: number[] = [];
  for (let i = 0; i < 5; i++) {
    const c0 = process.cpuUsage();
    let n = 0;
    for (const [tokens] of blockTokenPieces(md, lineStarts(md), 0)) n += tokens.length;
    const c = process.cpuUsage(c0);
    if (n) parseCpu.push((c.user + c.system) / 1000);
  }
  const text = md.replace(/^(#{1,6}) (.*)$/gm, '$2¶').replace(/^```\w*$/gm, '');
  const textMs = medianMs(() => convertGuide(text, { ...opts, format: 'text' }), 5, 1);
  const page = '<h2 id="s">Step<a class="headerlink" href="#s">¶</a></h2><p>Drain the <code>writers</code> first.</p><ul><li><input type="checkbox" disabled> <code>curl -s https://api.example.test/v1/health</code> returns 200 ok.</li></ul><div class="language-bash highlight"><pre><span></span><code>curl -X POST "https://api.example.test/v1/move" -H "Authorization: Bearer $KEY"\n</code></pre></div>\n';
  const html = '<html><body><article>' + page.repeat(Math.ceil(256_000 / page.length)) + '</article></body></html>';
  const htmlMs = medianMs(() => convertGuide(html, { ...opts, format: 'html' }), 3, 1);
  return {
    name: 'convert',
    rows: [
      { metric: `markdown guide ${(md.length / 1e6).toFixed(2)} MB → runbook`, value: mdMs, unit: 'ms', goal: '≤ 200 ms', ok: mdMs <= 200 },
      { metric: 'markdown guide, CPU time of one conversion', value: mdCpu, unit: 'ms' },
      { metric: 'markdown guide, page faults in one conversion', value: median(faults), unit: '' },
      { metric: 'markdown guide, CPU time of its block parse alone', value: median(parseCpu), unit: 'ms' },
      { metric: `plain-text guide ${(text.length / 1e6).toFixed(2)} MB → runbook`, value: textMs, unit: 'ms' },
      { metric: `HTML page ${(html.length / 1e3).toFixed(0)} kB → runbook`, value: htmlMs, unit: 'ms' },
    ],
    notes: [`markdown guide's runbook: sha256 ${sha}`],
  };
}
