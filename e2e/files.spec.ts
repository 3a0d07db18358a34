/**
 * Bad input, through the page and through the API: a truncated Parquet file, an HTML page named
 * `.parquet`, an empty file, `describe` before any load and on a text column. Each gives a clear
 * message with its code, and nothing already loaded is lost. A good Arrow file then loads and
 * describes correctly.
 */
import { readFileSync } from 'node:fs';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { expect, test } from './pages';

const FLIGHTS = readFileSync(new URL('../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));

test('corrupt, unsupported and empty files give clear errors; a good file still loads', async ({ coordinator }) => {
  await coordinator.open('?dataset=none');
  const page = coordinator.page;
  await coordinator.waitForNodes(1);

  // Before any load, describe says what to do.
  const noData = await page.evaluate(() => window.fabric!.describe().then(() => 'resolved', (e: { code: string; message: string }) => `${e.code}: ${e.message}`));
  expect(noData).toMatch(/^no-dataset: .*load\('flights-3m'\)/);

  const cases = [
    { name: 'flights-truncated.parquet', bytes: FLIGHTS.subarray(0, 1_000_000), code: 'corrupt-file', text: /truncated or damaged/ },
    { name: 'page.parquet', bytes: Buffer.from('<!doctype html><html><body>Not found</body></html>'), code: 'unsupported-file', text: /Its name says Parquet, but it starts with "<!doctype html><"/ },
    { name: 'empty.parquet', bytes: Buffer.alloc(0), code: 'empty-file', text: /is empty \(0 bytes\)/ },
  ];
  for (const c of cases) {
    await page.getByTestId('file-input').setInputFiles({ name: c.name, mimeType: 'application/octet-stream', buffer: c.bytes });
    await expect(page.getByTestId('error')).toContainText(`${c.code}:`, { timeout: 30_000 });
    await expect(page.getByTestId('error')).toContainText(c.text);
    await expect(page.getByTestId('error')).toContainText(c.name);
    await coordinator.waitForLog(new RegExp(`load failed: \\[${c.code}\\]`));
  }
  // Through the API too: the same code and message.
  const viaApi = await page.evaluate(() => window.fabric!.load(new Uint8Array(0), { name: 'nothing.parquet' }).then(() => 'resolved', (e: { code: string; message: string }) => `${e.code}: ${e.message}`));
  expect(viaApi).toMatch(/^empty-file: load: "nothing.parquet" is empty/);

  // A good Arrow IPC file loads, and describe on it is right.
  const table = tableFromArrays({ x: Float64Array.from([1, 2, 3, 4, 10]), n: Int32Array.from([5, 6, 7, 8, 9]), label: ['a', 'b', 'c', 'd', 'e'] });
  await page.getByTestId('file-input').setInputFiles({ name: 'small.arrow', mimeType: 'application/octet-stream', buffer: Buffer.from(tableToIPC(table, 'file')) });
  await expect(page.getByTestId('dataset-name')).toHaveText('small.arrow');
  await expect(page.getByTestId('row-count')).toHaveText('5');
  const got = await coordinator.runDescribe();
  expect(got.map((c) => c.name)).toEqual(['x', 'n']);
  const x = got[0]!;
  expect([x.count, x.nulls, x.mean, x.min, x.max]).toEqual([5, 0, 4, 1, 10]);
  expect(x.std).toBeCloseTo(Math.sqrt(((1 - 4) ** 2 + (2 - 4) ** 2 + (3 - 4) ** 2 + 0 + (10 - 4) ** 2) / 4), 12);

  // Asking for a text column is an input error with the numeric columns named; it is not retried.
  const textColumn = await page.evaluate(() => window.fabric!.describe({ columns: ['label'] }).then(() => 'resolved', (e: { code: string; message: string }) => `${e.code}: ${e.message}`));
  expect(textColumn).toBe('bad-input: describe: column "label" is Dictionary<Int32, Utf8>, not numeric. Numeric columns are: x, n.');
});
