import { describe, expect, it } from 'vitest';
import { checkMarkdownTables, splitRow } from './check-tables.ts';

const GOOD = [
  '# Report',
  '',
  '| metric | Fabric | baseline | ratio | target | met |',
  '| --- | ---: | ---: | ---: | --- | --- |',
  '| rows/s, 2 slots vs 1 | 31.09 | 19.85 | 1.57x | >= 1.6x | **not met** |',
  '| time to loss | 0.82 s | not reached | 7.9x | > 1x | met |',
  '| packing | 13,831 | 2,143 | 6.5x | - | - |',
  '',
  'Text between tables.',
  '',
  '| name | `a \\| b` code |',
  '| :--- | :---: |',
  '| pipe \\| escaped | `x | y` |',
  '',
  '```',
  '| not | a table',
  '```',
].join('\n');

describe('checkMarkdownTables', () => {
  it('accepts well-formed tables, escaped pipes, code spans, placeholders and fenced text', () => {
    expect(checkMarkdownTables('good.md', GOOD)).toEqual([]);
  });

  it('reports a table without a separator line', () => {
    const md = '| a | b |\n| 1 | 2 |\n';
    expect(checkMarkdownTables('f.md', md)).toEqual([{ file: 'f.md', line: 2, message: 'the second line of a table must be its separator (--- per cell), got "| 1 | 2 |"' }]);
  });

  it('reports a header alone', () => {
    expect(checkMarkdownTables('f.md', 'intro\n| a | b |\n')[0]).toMatchObject({ line: 2, message: 'a table needs a header line and a separator line' });
  });

  it('reports rows whose cell count differs from the header', () => {
    const md = '| a | b |\n| --- | ---: |\n| x | 1 |\n| y | 2 | 3 |\n| z |\n';
    const problems = checkMarkdownTables('f.md', md);
    expect(problems.map((p) => [p.line, p.message])).toEqual([[4, '3 cells, the header has 2'], [5, '1 cells, the header has 2']]);
  });

  it('reports a separator of another width than the header', () => {
    expect(checkMarkdownTables('f.md', '| a | b |\n| --- |\n')[0]!.message).toBe('the separator has 1 cells, the header 2');
  });

  it.each(['NaN', 'NaNx', 'undefined', 'null', 'Infinity', '-Infinity', '**NaN**', 'undefined M rows/s'])('reports a broken figure "%s" in any column', (cell) => {
    const md = `| what | figure |\n| --- | --- |\n| x | ${cell} |\n`;
    const problems = checkMarkdownTables('f.md', md);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('reads as a broken figure');
    expect(problems[0]!.line).toBe(3);
  });

  it('does not take words that contain those letters for broken figures', () => {
    expect(checkMarkdownTables('f.md', '| a |\n| --- |\n| nullable annotated Infinityx2 |\n| Nancy |\n')).toEqual([]);
  });

  it('reports text in a numeric column (right-aligned, mostly figures)', () => {
    const md = '| run | MB/s |\n| --- | ---: |\n| 1 | 31.9 |\n| 2 | 30.2 |\n| 3 | fast |\n';
    expect(checkMarkdownTables('f.md', md)).toEqual([{ file: 'f.md', line: 5, message: 'column "MB/s" is numeric, but this row has "fast"' }]);
  });

  it('accepts a cell that says n/a and why in a numeric column', () => {
    const md = '| fn | ratio |\n| --- | ---: |\n| a | 1.5x |\n| b | 2.0x |\n| c | n/a (TPE median > cap) measured |\n';
    expect(checkMarkdownTables('f.md', md)).toEqual([]);
  });

  it('leaves right-aligned text columns alone (the reports align yes/no columns right)', () => {
    const md = '| rate | fell behind |\n| ---: | ---: |\n| 10,000 | no |\n| 20,000 | yes |\n';
    expect(checkMarkdownTables('f.md', md)).toEqual([]);
  });

  it('counts lines from 1 across several tables', () => {
    const md = '| a |\n| --- |\n| 1 |\n\n| b | c |\n| --- | --- |\n| 1 |\n';
    expect(checkMarkdownTables('f.md', md)).toEqual([{ file: 'f.md', line: 7, message: '1 cells, the header has 2' }]);
  });
});

describe('splitRow', () => {
  it('splits on unescaped pipes outside code spans and trims cells', () => {
    expect(splitRow('| a | b \\| c | `d | e` |')).toEqual(['a', 'b | c', '`d | e`']);
  });
});
