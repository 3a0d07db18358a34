import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import { initSync, readParquet } from 'parquet-wasm/esm';
import { describe, expect, it } from 'vitest';
import { groupResultsToParquet } from './group-export';
import { groupResultsToCsv, groupResultsToIpc, type GroupResultRow, type GroupResults } from './group-results';

function row(over: Partial<GroupResultRow> & Pick<GroupResultRow, 'key'>): GroupResultRow {
  return { rows: 0, status: 'ok', message: '', coefficients: [], metrics: {}, values: {}, fitMs: 0, node: 'local', ...over };
}

/** Three groups: a good fit, one with too few rows (nulls everywhere), and a key that needs quoting. */
const results: GroupResults = {
  key: 'origin',
  model: { kind: 'linear', l2: 0 },
  coefficientNames: ['distance', 'intercept'],
  metricNames: ['rmse', 'r2'],
  valueNames: [],
  rows: [
    row({ key: 'ABQ', rows: 120, coefficients: [0.0125, -3.5], metrics: { rmse: 12.25, r2: 0.5 }, fitMs: 1.5, node: 'local' }),
    row({ key: 'BOS', rows: 1, status: 'too-few-rows', message: 'the group has 1 row for 2 coefficients, "merge" it', coefficients: [null, null], metrics: { rmse: null, r2: NaN }, node: 'v-1' }),
    row({ key: 'SAN, "north"', rows: 40, coefficients: [1e-20, 7], metrics: { rmse: 3, r2: 0.25 }, fitMs: 0.25, node: 'v-1' }),
  ],
  totalRows: 161,
  tasks: 2,
  groupsByNode: { local: 1, 'v-1': 2 },
  ms: 10,
  shuffleMs: 4,
};

describe('groupResultsToCsv', () => {
  const lines = groupResultsToCsv(results).split('\n');

  it('writes the header: key, rows, status, message, coefficients, metrics, fit_ms, node', () => {
    expect(lines[0]).toBe('origin,rows,status,message,distance,intercept,rmse,r2,fit_ms,node');
  });

  it('writes one line per group in order, and ends with a newline', () => {
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe('');
    expect(lines[1]).toBe('ABQ,120,ok,,0.0125,-3.5,12.25,0.5,1.5,local');
  });

  it('leaves a cell empty for null and NaN, and quotes text with commas or quotes', () => {
    expect(lines[2]).toBe('BOS,1,too-few-rows,"the group has 1 row for 2 coefficients, ""merge"" it",,,,,0,v-1');
    expect(lines[3]).toBe('"SAN, ""north""",40,ok,,1e-20,7,3,0.25,0.25,v-1');
  });
});

describe('groupResultsToIpc', () => {
  const table = tableFromIPC(groupResultsToIpc(results));

  it('round-trips column names and row count', () => {
    expect(table.schema.fields.map((f) => f.name)).toEqual(['origin', 'rows', 'status', 'message', 'distance', 'intercept', 'rmse', 'r2', 'fit_ms', 'node']);
    expect(table.numRows).toBe(3);
  });

  it('round-trips values, with NaN where a number is missing', () => {
    expect(table.getChild('origin')!.toArray()).toEqual(['ABQ', 'BOS', 'SAN, "north"']);
    expect(Array.from(table.getChild('rows')!.toArray() as Int32Array)).toEqual([120, 1, 40]);
    expect(Array.from(table.getChild('distance')!.toArray() as Float64Array)).toEqual([0.0125, NaN, 1e-20]);
    expect(Array.from(table.getChild('r2')!.toArray() as Float64Array)).toEqual([0.5, NaN, 0.25]);
    expect(table.getChild('status')!.get(1)).toBe('too-few-rows');
    expect(table.getChild('node')!.toArray()).toEqual(['local', 'v-1', 'v-1']);
  });

  it('writes a header-only table for no groups', () => {
    const empty = tableFromIPC(groupResultsToIpc({ ...results, rows: [] }));
    expect(empty.numRows).toBe(0);
    expect(empty.schema.fields).toHaveLength(10);
  });

  it('writes a custom task\'s values: numbers as float64, mixed values as text', () => {
    const custom: GroupResults = {
      ...results, model: { kind: 'custom', name: 'delay-quantiles' }, coefficientNames: [], metricNames: [], valueNames: ['p50', 'label'],
      rows: [row({ key: 'A', values: { p50: 2.5, label: 'x' } }), row({ key: 'B', values: { p50: null, label: true } })],
    };
    const t = tableFromIPC(groupResultsToIpc(custom));
    expect(Array.from(t.getChild('p50')!.toArray() as Float64Array)).toEqual([2.5, NaN]);
    expect(t.getChild('label')!.toArray()).toEqual(['x', 'true']);
  });
});

describe('groupResultsToParquet', () => {
  // group-export.ts loads the wasm by URL, as a browser does; Node has no server for that URL, so
  // the same module instance is initialised here from the file, and its init then finds it ready.
  const require = createRequire(import.meta.url);
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });

  it('round-trips the table through Parquet', async () => {
    const bytes = await groupResultsToParquet(results);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('PAR1');
    const table = tableFromIPC(readParquet(bytes).intoIPCStream());
    expect(table.schema.fields.map((f) => f.name)).toEqual(['origin', 'rows', 'status', 'message', 'distance', 'intercept', 'rmse', 'r2', 'fit_ms', 'node']);
    expect(table.getChild('origin')!.toArray()).toEqual(['ABQ', 'BOS', 'SAN, "north"']);
    expect(Array.from(table.getChild('intercept')!.toArray() as Float64Array)).toEqual([-3.5, NaN, 7]);
    expect(table.getChild('message')!.get(1)).toBe('the group has 1 row for 2 coefficients, "merge" it');
  });
});
