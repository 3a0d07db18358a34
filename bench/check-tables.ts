/**
 * `tsx bench/check-tables.ts DIR`: checks that every .md in DIR has well-formed tables, for CI after
 * `npm run bench -- --quick`. A table is a run of lines starting with `|`; it must have a header, a
 * separator (`---`, `:---`, `---:`, `:---:` per cell), the same number of cells on every line, no
 * cell reading NaN, undefined, null or Infinity, and a number in every cell of a numeric column.
 * A column is numeric when it is right-aligned (`---:`) and most of its cells are plain numbers (the
 * reports right-align text columns too, so alignment alone does not make a column numeric).
 * It says nothing about the figures themselves: no time is asserted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One problem, with where it is. */
export interface TableProblem {
  readonly file: string;
  /** 1-based line number in the file. */
  readonly line: number;
  readonly message: string;
}

/**
 * Cells that stand for "no figure here", allowed in numeric columns: dashes, and the phrases the
 * reports print instead of a figure (train: "not reached"; simulation: "same", "did not finish").
 */
const PLACEHOLDERS = new Set(['', '-', '–', '—', 'n/a', 'none', 'same', 'not reached', 'did not finish']);
/** A cell that opens with "n/a" says why it has no figure (tune: "n/a (TPE median > cap)"). */
const NOT_APPLICABLE = /^n\/a\b/;
/** Words that mean a computation went wrong, alone or before a ratio's "x"; never allowed in any cell. */
const BROKEN = /(^|[^A-Za-z])(NaN|undefined|null|-?Infinity)(x\b|[^A-Za-z]|$)/;
/**
 * A cell that is only a figure: sign, grouping, decimals, exponent, a short unit or x/%. Not a
 * comparison such as ">= 1.6x", which is a target, not a figure.
 */
const PLAIN_NUMBER = /^[-+−]?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?\s*(?:x|%|[A-Za-z/]{1,12})?$/;
/** Somewhere in the cell, a number. */
const HAS_NUMBER = /\d/;

/** Splits a table line into cells, honouring `\|` escapes and code spans. */
export function splitRow(line: string): string[] {
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\' && body[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (ch === '`') {
      inCode = !inCode;
      cell += ch;
    } else if (ch === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell.trim());
  return cells;
}

const SEPARATOR_CELL = /^:?-{3,}:?$/;

/** The text of a cell without markdown emphasis and code ticks. */
function bare(cell: string): string {
  return cell.replace(/\*\*|`/g, '').trim();
}

function checkTable(file: string, startLine: number, lines: readonly string[]): TableProblem[] {
  const problems: TableProblem[] = [];
  const at = (i: number, message: string): void => void problems.push({ file, line: startLine + i, message });
  if (lines.length < 2) {
    at(0, 'a table needs a header line and a separator line');
    return problems;
  }
  const header = splitRow(lines[0]!);
  const separator = splitRow(lines[1]!);
  if (!separator.every((c) => SEPARATOR_CELL.test(c))) {
    at(1, `the second line of a table must be its separator (--- per cell), got "${lines[1]!.trim()}"`);
    return problems;
  }
  if (separator.length !== header.length) at(1, `the separator has ${separator.length} cells, the header ${header.length}`);
  if (header.some((c) => bare(c) === '')) at(0, 'a header cell is empty');
  const rows = lines.slice(2).map(splitRow);
  rows.forEach((r, i) => {
    if (r.length !== header.length) at(i + 2, `${r.length} cells, the header has ${header.length}`);
  });
  for (const [i, cells] of [header, ...rows].entries()) {
    for (const c of cells) if (BROKEN.test(bare(c))) at(i === 0 ? 0 : i + 1, `cell "${c}" reads as a broken figure`);
  }
  for (let col = 0; col < header.length; col++) {
    const values = rows.map((r) => bare(r[col] ?? '')).filter((v) => !PLACEHOLDERS.has(v));
    const plain = values.filter((v) => PLAIN_NUMBER.test(v)).length;
    const align = separator[col] ?? '';
    const rightAligned = align.endsWith(':') && !align.startsWith(':');
    const numeric = rightAligned && values.length > 0 && plain > values.length / 2;
    if (!numeric) continue;
    rows.forEach((r, i) => {
      const v = bare(r[col] ?? '');
      if (!PLACEHOLDERS.has(v) && !NOT_APPLICABLE.test(v) && !HAS_NUMBER.test(v)) at(i + 2, `column "${bare(header[col]!)}" is numeric, but this row has "${v}"`);
    });
  }
  return problems;
}

/** Every table problem in one markdown text. Lines inside ``` fences are not tables. */
export function checkMarkdownTables(file: string, text: string): TableProblem[] {
  const problems: TableProblem[] = [];
  const lines = text.split('\n');
  let fenced = false;
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    const line = lines[i];
    if (line !== undefined && line.trimStart().startsWith('```')) fenced = !fenced;
    const isRow = line !== undefined && !fenced && line.trimStart().startsWith('|');
    if (isRow && start < 0) start = i;
    if (!isRow && start >= 0) {
      problems.push(...checkTable(file, start + 1, lines.slice(start, i)));
      start = -1;
    }
  }
  return problems;
}

/** Checks every .md in `dir`; throws when there is none, since an empty directory proves nothing. */
export function checkResultsDir(dir: string): { files: string[]; tables: number; problems: TableProblem[] } {
  const files = readdirSync(dir).filter((f) => f.endsWith('.md')).sort();
  if (files.length === 0) throw new Error(`check-tables: no .md files in ${dir}; run npm run bench first`);
  const problems: TableProblem[] = [];
  let tables = 0;
  for (const f of files) {
    const text = readFileSync(`${dir.replace(/\/$/, '')}/${f}`, 'utf8');
    tables += text.split('\n').filter((l, i, all) => l.trimStart().startsWith('|') && !(all[i - 1] ?? '').trimStart().startsWith('|')).length;
    problems.push(...checkMarkdownTables(f, text));
  }
  return { files, tables, problems };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx bench/check-tables.ts DIR (e.g. bench/.tmp/quick after npm run bench -- --quick)');
    process.exit(2);
  }
  try {
    const { files, tables, problems } = checkResultsDir(dir);
    for (const p of problems) console.error(`${dir}/${p.file}:${p.line}: ${p.message}`);
    console.log(`check-tables: ${files.length} file(s), ${tables} table(s), ${problems.length} problem(s) in ${dir}`);
    process.exit(problems.length === 0 ? 0 : 1);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}
