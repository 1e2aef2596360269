/**
 * The runbook model: a VS Code-free mirror of notebook data.
 *
 * A runbook file is cut into cells that tile the source exactly: concatenating every cell's
 * `raw` slice gives back the file's bytes. Each cell's `value` is what the notebook shows; it is
 * derived from `raw` by a deterministic function (EOL normalised to LF, a common indentation
 * stripped, fences removed). Serializing compares a cell's value with the value derived from its
 * `raw`: unchanged cells give back `raw` to the byte, edited cells are patched line by line so
 * that only the lines the user changed are written anew.
 */

export type CellKind = 'markup' | 'code';

/** What a cell stands for in the source. */
export type CellRole =
  /** YAML front matter between `---` lines at the top of the file. */
  | 'frontMatter'
  /** A heading and the prose that follows it, up to the next split point. */
  | 'section'
  /** One GFM task item (`- [ ] …`), its own cell so that it can be ticked. */
  | 'task'
  /** Other markdown: prose, plain lists, tables, HTML, … */
  | 'prose'
  /** A fenced code block. A check when its info string names a check kind. */
  | 'fence'
  /** The whole file, when it could not be parsed (see ParseFailure). */
  | 'error';

/** How a fenced code block was written, so that an edited body can be re-fenced the same way. */
export interface FenceFrame {
  /** The exact opening line without its EOL, e.g. "  ```http {id=health}". */
  readonly openLine: string;
  /** The exact closing line without its EOL, or null when the fence ran to the end of its container. */
  readonly closeLine: string | null;
  /** Fence marker characters, e.g. "```" or "~~~~". */
  readonly marker: string;
  /** The info string after the marker, trimmed: "http {id=health}". */
  readonly info: string;
  /**
   * Whether markdown nests this fence in a task list item (false: top level or a plain item).
   * Undefined when unknown; the check's task is then found by indentation alone.
   */
  readonly inTask?: boolean;
}

/** Per-cell bookkeeping that the serializer needs; kept in cell metadata under `runbook`. */
export interface CellSource {
  /** What the cell was when the file was parsed (a markup cell keeps this role while its value is unchanged). */
  readonly role: CellRole;
  /** The cell's exact bytes in the original file, trailing blank lines (the gap to the next cell) included. */
  readonly raw: string;
  /** Leading whitespace stripped from each line to get `value`. */
  readonly indent: string;
  /** Set for fenced code cells. */
  readonly fence?: FenceFrame;
}

export interface RunbookCell {
  readonly kind: CellKind;
  readonly role: CellRole;
  /** The text the notebook shows and the user edits (LF line ends). */
  value: string;
  /** Markdown for markup cells; the fence language (or check kind) for code cells. */
  language: string;
  /** Zero-based line range [start, end) of `raw` in the original file. */
  readonly lines: { readonly start: number; readonly end: number };
  /** Absent for cells the user added: they are rendered fresh. */
  readonly source?: CellSource;
  /** Set on task cells: the checkbox state and where the box sits in `value`. */
  task?: TaskInfo;
  /** Set on fence cells whose info string names a check kind. */
  check?: CheckRef;
}

export interface TaskInfo {
  readonly checked: boolean;
  /** Offset of the character between the brackets (' ', 'x' or 'X') within the cell value. */
  readonly boxOffset: number;
  /** The item text after the box, first line only, trimmed (used for ids and reports). */
  readonly label: string;
}

/** A check declared by a fenced block; validated later by the check registry. */
export interface CheckRef {
  /** Stable id: explicit `id=` attribute, else derived from the heading path and the item text. */
  readonly id: string;
  /** True when the id came from an explicit `id=` attribute. */
  readonly explicitId: boolean;
  /** The check kind named by the info string's first word (e.g. "http", "shell", "python", "manual"). */
  readonly kind: string;
  /** Attributes from the info string, as written (strings), before kind-specific validation. */
  readonly attributes: Readonly<Record<string, string>>;
  /** How the attributes were written, kept when they are rewritten. */
  readonly attributeStyle: 'json' | 'keyValue' | 'none';
  /** Index of the task cell this check belongs to, or null for a free-standing check. */
  readonly taskCell: number | null;
  /** Heading texts from the top level down to this check's section. */
  readonly headingPath: readonly string[];
  /** For reports and messages: the task item's label, else the `title` attribute. */
  readonly label?: string;
  /** An attribute error, shown in the cell; the check does not run while it is set. */
  readonly error?: string;
}

export interface RunbookInput {
  readonly name: string;
  readonly description?: string;
  readonly type: 'string' | 'number' | 'boolean' | 'enum' | 'path' | 'url';
  readonly default?: string | number | boolean;
  readonly options?: readonly string[];
  readonly secret: boolean;
  readonly required: boolean;
  /** Environment variable name given to process checks (default: envName(name)). */
  readonly env?: string;
}

export interface FrontMatter {
  readonly raw: string;
  /** Parsed when the YAML is valid. */
  readonly data?: Readonly<Record<string, unknown>>;
  readonly title?: string;
  readonly inputs: readonly RunbookInput[];
  /** One line saying why the front matter is invalid; the runbook still opens. */
  readonly error?: string;
}

/** A heading and the task/check cells under it, for progress (e.g. "3/7"). */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly level: number;
  /** Index of the cell holding the heading. */
  readonly cell: number;
  /** Index one past the last cell of this section (the next heading of the same or higher level). */
  readonly endCell: number;
  readonly path: readonly string[];
}

/**
 * A notebook cell as the serializer and `deriveRunbook` see it: what VS Code holds for a cell.
 * `source` is the parse-time bookkeeping (cell metadata `runbook`); absent for cells the user added.
 * `attributes` are the fence attributes when the editor changed them (else those in `source` apply).
 */
export interface CellLike {
  readonly kind: CellKind;
  readonly value: string;
  readonly language: string;
  readonly source?: CellSource;
  readonly attributes?: Readonly<Record<string, string>>;
  /** The parse-time role, if the caller keeps it apart from `source` (same as `source.role`). */
  readonly role?: CellRole;
}

/** What `deriveRunbook` computes for one cell. */
export interface DerivedCell {
  readonly role: CellRole;
  readonly task?: TaskInfo;
  readonly check?: CheckRef;
  /** Heading texts from the top level down to the section holding this cell. */
  readonly headingPath: readonly string[];
}

export interface DerivedRunbook {
  readonly cells: readonly DerivedCell[];
  readonly sections: readonly Section[];
  readonly frontMatter?: FrontMatter;
}

export interface ParseFailure {
  readonly message: string;
  /** The original bytes, base64, written back unchanged unless the user edits the error cell. */
  readonly originalBase64: string;
}

export interface RunbookDocument {
  readonly cells: RunbookCell[];
  readonly frontMatter?: FrontMatter;
  readonly sections: readonly Section[];
  /** "\n" or "\r\n": the dominant line end, used for lines the user adds. */
  readonly eol: '\n' | '\r\n';
  /** True when the file starts with a byte order mark (kept first however the cells are rearranged). */
  readonly bom?: boolean;
  /** Set when the file could not be parsed: `cells` then holds one error cell. */
  readonly failure?: ParseFailure;
}
