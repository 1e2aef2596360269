/**
 * Content-hash cache of a workspace scan: per file (relative path) the SHA-256 of its text and its
 * findings. A file whose text hashes the same under the same analysis options (the cache key) is not
 * analysed again. One JSON file in the given folder (VS Code: the workspace storage), rewritten
 * atomically after each scan with the entries of the files that still exist. A missing, corrupt or
 * foreign cache file is ignored.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkspaceFinding } from './workspace';

const FILE = 'analysis-cache.json';
const FORMAT = 1;

type Stored = Omit<WorkspaceFinding, 'absolutePath'>;

interface CacheFile {
  format: number;
  key: string;
  files: Record<string, { sha: string; findings: Stored[] }>;
}

export class AnalysisCache {
  private readonly next: CacheFile['files'] = {};
  hits = 0;

  private constructor(private readonly dir: string, private readonly key: string, private readonly old: CacheFile['files']) {}

  static hash(text: string): string {
    return createHash('sha256').update(text).digest('base64');
  }

  static async open(dir: string, key: string): Promise<AnalysisCache> {
    let old: CacheFile['files'] = {};
    try {
      const parsed = JSON.parse(await readFile(join(dir, FILE), 'utf8')) as Partial<CacheFile>;
      if (parsed.format === FORMAT && parsed.key === key && parsed.files && typeof parsed.files === 'object') old = parsed.files;
    } catch {
      /* no cache yet, or unreadable: start empty */
    }
    return new AnalysisCache(dir, key, old);
  }

  /** The findings of `file` when its text still hashes to `sha`. */
  get(file: string, sha: string, absolutePath: string): WorkspaceFinding[] | undefined {
    const e = Object.prototype.hasOwnProperty.call(this.old, file) ? this.old[file] : undefined;
    if (!e || e.sha !== sha || !Array.isArray(e.findings)) return undefined;
    this.hits++;
    this.next[file] = e;
    // the key order of a fresh analysis (file, absolutePath, …), so cached results are identical
    return e.findings.map(({ file: _f, ...f }) => ({ file, absolutePath, ...f }) as WorkspaceFinding);
  }

  set(file: string, sha: string, findings: readonly WorkspaceFinding[]): void {
    this.next[file] = { sha, findings: findings.map(({ absolutePath: _a, ...f }) => f) };
  }

  /** Writes the entries of `files` (those analysed or reused in this scan). Best effort. */
  async save(files: readonly string[]): Promise<void> {
    const out: CacheFile = { format: FORMAT, key: this.key, files: {} };
    for (const f of files) if (Object.prototype.hasOwnProperty.call(this.next, f)) out.files[f] = this.next[f]!;
    try {
      await mkdir(this.dir, { recursive: true });
      const tmp = join(this.dir, `${FILE}.${process.pid}.tmp`);
      await writeFile(tmp, JSON.stringify(out));
      await rename(tmp, join(this.dir, FILE));
    } catch {
      /* a cache that cannot be written only costs time */
    }
  }
}
