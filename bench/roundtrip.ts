/**
 * Round-trip speed on a ~1 MB runbook: our parseRunbook against markdown-it's block-only parse of
 * the same text (the honest floor: the same markdown-it configuration the parser runs, inline
 * parsing off; measured in the same run), and serializing the unchanged notebook, as a string and
 * as the UTF-8 bytes VS Code asks for.
 * Goals: deserialize ≤ 1.3× markdown-it block-only; serialize as VS Code hands cells back ≤ 3 ms.
 */
import MarkdownIt from 'markdown-it';
import { cpus, loadavg } from 'node:os';
import { parseRunbook, serializeRunbook, serializeRunbookBytes, type CellLike } from '../src/core/runbook';
import { encodeUtf8 } from '../src/core/runbook/serialize';
import { compareMs, median, medianMs, type BenchReport } from './index';

/** A realistic runbook: sections, prose, task items with http/shell checks, tables, ~`targetBytes` long. */
export function generateRunbook(targetBytes = 1_000_000): string {
  const parts: string[] = [
    '---',
    'title: Generated cutover',
    'inputs:',
    '  - name: baseUrl',
    '    default: http://127.0.0.1:8080',
    '  - name: apiKey',
    '    secret: true',
    '---',
    '',
    '# Generated cutover',
    '',
  ];
  let size = parts.join('\n').length;
  let n = 0;
  while (size < targetBytes) {
    n++;
    const block = [
      `## Phase ${n}: migrate shard ${n % 17}`,
      '',
      `Before phase ${n}, confirm that the **writers** are drained and that the replica lag is below`,
      `the threshold agreed in the [change request](https://example.com/cr/${n}). Keep the incident`,
      'channel open; if any check fails, stop and follow the rollback section.',
      '',
      `- [ ] Health endpoint answers for shard ${n}`,
      `  \`\`\`http { id=health-${n} timeout=5s }`,
      `  GET {{baseUrl}}/shards/${n}/health`,
      '  Authorization: Bearer {{apiKey}}',
      '  ?? status == 200',
      '  ?? json.state == "ready"',
      '  ```',
      `- [x] Replica lag under 5 s`,
      `  \`\`\`shell {"id":"lag-${n}","timeout":"10s"}`,
      `  ./scripts/lag.sh --shard ${n}`,
      '  ?? exit == 0',
      '  ```',
      '- [ ] Announce the switch in the channel',
      '  - [ ] Post the message',
      '  - [ ] Wait for the acknowledgement',
      '',
      '| step | owner | eta |',
      '|------|-------|-----|',
      `| ${n}.1 | ops | 5 min |`,
      '',
      '> Note: rollback takes about ten minutes.',
      '',
    ];
    parts.push(...block);
    size += block.join('\n').length + 1;
  }
  return parts.join('\n') + '\n';
}

/** CPU time of `fn` in milliseconds (user + system): load on the machine inflates it far less than wall time. */
function cpuMs(fn: () => unknown): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

export async function run(): Promise<BenchReport> {
  const text = generateRunbook();
  // The parser's own configuration: CommonMark + GFM tables/strikethrough, core rules normalize + block.
  const md = new MarkdownIt('commonmark', { html: true }).enable(['table', 'strikethrough']);
  md.core.ruler.enableOnly(['normalize', 'block']);
  const full = new MarkdownIt('commonmark', { html: true }).enable(['table', 'strikethrough']);
  const fullParse = medianMs(() => full.parse(text, {}), 7, 2);
  const { baseline, subject: parse, ratio } = compareMs(() => md.parse(text, {}), () => parseRunbook(text));
  // The same comparison by CPU time, interleaved (rounds of baseline then subject, alternating).
  const cpuRatios: number[] = [];
  for (let i = 0; i < 11; i++) {
    let b: number;
    let p: number;
    if (i % 2) {
      p = cpuMs(() => parseRunbook(text));
      b = cpuMs(() => md.parse(text, {}));
    } else {
      b = cpuMs(() => md.parse(text, {}));
      p = cpuMs(() => parseRunbook(text));
    }
    cpuRatios.push(p / b);
  }
  const cpuRatio = median(cpuRatios);
  // For reference: markdown-it's block-only parse that lets its tokens go a top-level block at a
  // time, as the parser consumes them (md.parse above keeps the whole token stream, which the
  // garbage collector then copies); no goal, it shows the parser's own work apart from that.
  const dropping = new MarkdownIt('commonmark', { html: true }).enable(['table', 'strikethrough']);
  dropping.core.ruler.enableOnly(['normalize', 'block']);
  dropping.block.ruler.before(
    'table',
    'drop_tokens',
    (state) => {
      if (state.level === 0 && state.tokens.length > 0) state.tokens = [];
      return false;
    },
    { alt: [] },
  );
  const { baseline: dropBaseline, ratio: dropRatio } = compareMs(() => dropping.parse(text, {}), () => parseRunbook(text), 11, 3);
  const doc = parseRunbook(text);
  const meta = { eol: doc.eol };
  const check = serializeRunbook(doc.cells, meta);
  if (check !== text) throw new Error('round-trip mismatch on the generated runbook');
  const serialize = medianMs(() => serializeRunbook(doc.cells, meta));
  // The least any serializer must do: concatenate the cells' original bytes.
  const joinOnly = medianMs(() => doc.cells.map((c) => c.source?.raw ?? '').join(''));
  // As VS Code hands cells back: new objects, metadata copied (values compared in place, nothing memoised).
  const copied: CellLike[] = JSON.parse(JSON.stringify(doc.cells.map((c) => ({ kind: c.kind, value: c.value, language: c.language, source: c.source }))));
  if (serializeRunbook(copied, meta) !== text) throw new Error('round-trip mismatch on copied cells');
  const copiedRaws = copied.map((c) => c.source?.raw ?? '');
  const { baseline: joinCopied, subject: serializeCopied, ratio: copiedRatio } = compareMs(() => copiedRaws.join(''), () => serializeRunbook(copied, meta));
  // What VS Code calls (serializeRunbookBytes): the same cells to UTF-8 bytes. Floor: the raw text
  // joined, then encoded (a whole string, then the bytes); reference: the raw text encoded in pieces
  // as the serializer does (encodeUtf8 alone, no cell compared).
  const encoder = new TextEncoder();
  if (Buffer.compare(serializeRunbookBytes(copied, meta), encoder.encode(text)) !== 0) throw new Error('round-trip mismatch on copied cells (bytes)');
  const { baseline: joinEncode, subject: bytesCopied, ratio: bytesRatio } = compareMs(() => encoder.encode(copiedRaws.join('')), () => serializeRunbookBytes(copied, meta));
  const { baseline: piecesEncode, ratio: bytesPiecesRatio } = compareMs(() => encodeUtf8(copiedRaws), () => serializeRunbookBytes(copied, meta));
  return {
    name: 'roundtrip',
    rows: [
      { metric: 'input size', value: text.length / 1e6, unit: 'MB' },
      { metric: 'cells', value: doc.cells.length, unit: '' },
      { metric: 'markdown-it full parse (with inline, for reference)', value: fullParse, unit: 'ms' },
      { metric: 'deserialize: markdown-it block-only parse (baseline)', value: baseline, unit: 'ms' },
      { metric: 'deserialize: parseRunbook', value: parse, unit: 'ms' },
      { metric: 'deserialize / markdown-it block-only (wall)', value: ratio, unit: '×', goal: '≤ 1.3×', ok: ratio <= 1.3 },
      { metric: 'deserialize / markdown-it block-only (CPU time)', value: cpuRatio, unit: '×', goal: '≤ 1.3×', ok: cpuRatio <= 1.3 },
      { metric: 'markdown-it block-only, tokens let go per top-level block (reference)', value: dropBaseline, unit: 'ms' },
      { metric: 'deserialize / that parse (wall, reference: the parser\'s own work)', value: dropRatio, unit: '×' },
      { metric: 'serialize: unchanged cells as parsed', value: serialize, unit: 'ms' },
      { metric: 'serialize: as VS Code hands cells back (copied metadata)', value: serializeCopied, unit: 'ms', goal: '≤ 3 ms', ok: serializeCopied <= 3 },
      { metric: 'serialize: join of the copied cells\' raw text only (floor)', value: joinCopied, unit: 'ms' },
      { metric: 'serialize copied / join floor (load-independent)', value: copiedRatio, unit: '×' },
      { metric: 'serialize: join of the parsed cells\' raw text', value: joinOnly, unit: 'ms' },
      { metric: 'serialize bytes (what VS Code calls): copied metadata, serializeRunbookBytes', value: bytesCopied, unit: 'ms' },
      { metric: 'serialize bytes: join + encode of the copied cells\' raw text (floor)', value: joinEncode, unit: 'ms' },
      { metric: 'serialize bytes / join + encode floor', value: bytesRatio, unit: '×' },
      { metric: 'serialize bytes: raw text encoded in pieces, no cell compared (reference)', value: piecesEncode, unit: 'ms' },
      { metric: 'serialize bytes / that reference', value: bytesPiecesRatio, unit: '×' },
    ],
    notes: [
      'parseRunbook runs markdown-it block rules only (no inline pass), then slices the text by line ranges; the baseline is that same block-only parse (md.parse with core rules normalize + block)',
      'parseRunbook takes markdown-it\'s tokens a top-level block at a time and lets them go (a block rule that never matches hands them over); md.parse keeps the whole stream, so the garbage collector copies it, also during the parse timed after it: the reference rows compare against a block-only parse that drops its tokens the same way',
      'ratios are medians of per-round ratios, baseline and subject timed back to back in alternating order',
      'serialize bytes encodes the parts of the text into one array a piece (≤ 32k characters) at a time, never building the whole 1 MB string; the join + encode floor builds that string first (a fresh 1 MB allocation, about 250 page faults), so the bytes path can come in under it; the pieces reference is the same encoding of the raw text alone',
      `absolute times depend on machine load (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs during this run); the floor ratio is the load-robust figure for serializing; the CPU-time ratio counts the whole process (V8's garbage-collector threads too), so it charges the parser for the garbage it leaves`,
    ],
  };
}
