/**
 * Hostile and broken files dropped on the coordinator page (from test-data/bad-inputs, plus a
 * 100 MB CSV with no line break made on the fly): each shows its FabricError naming the problem
 * and the line or column; the page handles input while the big file is read (in the loader
 * worker); and a good CSV then loads and describes correctly.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { BAD_INPUTS_DIR, writeHugeSingleLine } from '../scripts/make-bad-inputs';
import { expect, test } from './pages';

/** Drops a corpus file on the drop zone, as a person dragging it from a file manager would. */
async function dropFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  await page.evaluate(({ name, data }) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([Uint8Array.from(data)], name));
    document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, { name, data: [...bytes] });
}

const DROPPED = [
  { file: 'ragged-short.csv', text: /^corrupt-file: load: "ragged-short\.csv" line 4 \(data row 3\) has 2 fields, but the header has 3 \(id, x, city\)/ },
  { file: 'truncated.parquet', text: /^corrupt-file: load: "truncated\.parquet" starts like a Parquet file but does not end with the "PAR1" footer magic, so it is truncated/ },
  { file: 'non-numeric.csv', text: /^bad-value: load: "non-numeric\.csv" column "price", line 4 \(data row 3\): "abc" is not a number/ },
  { file: 'duplicate-columns.csv', text: /^duplicate-column: load: "duplicate-columns\.csv" has two columns named "id"/ },
  { file: 'header-only.csv', text: /^empty-file: load: "header-only\.csv" has a header \(3 columns: id, x, city\) but no data rows/ },
  { file: 'inf.csv', text: /^bad-value: load: "inf\.csv" column "x", line 3 \(data row 2\): "Inf" is infinite/ },
];

test('bad files dropped on the page give errors naming the line or column; a 100 MB line fails without freezing the page; a good CSV loads', async ({ coordinator }) => {
  const dir = await mkdtemp(join(tmpdir(), 'fabric-e2e-bad-inputs-'));
  try {
    await coordinator.open('?dataset=none');
    const page = coordinator.page;
    await coordinator.waitForNodes(1);
    const error = page.getByTestId('error');

    for (const c of DROPPED) {
      await dropFile(page, c.file, readFileSync(join(BAD_INPUTS_DIR, c.file)));
      await expect(error).toContainText(c.text);
      await coordinator.waitForLog(new RegExp(`load failed: .*"${c.file.replace('.', '\\.')}"`));
    }

    // The 100 MB single line, dropped on the page (a disk-backed File: the page never reads its
    // bytes; the loader worker streams them). In the same task as the drop, the page is given an
    // input event for the next task; its listener records whether the load had settled by then.
    // The load cannot settle first: its reply is a message from the worker after 16 MiB are read.
    const huge = join(dir, 'huge-single-line.csv');
    await writeHugeSingleLine(huge);
    await page.evaluate(() => {
      const picker = document.createElement('input');
      picker.type = 'file';
      picker.id = 'test-picker';
      picker.hidden = true;
      document.body.append(picker);
    });
    await page.locator('#test-picker').setInputFiles(huge);
    const echo = await page.evaluate(() => new Promise<string>((resolve) => {
      let settled = false;
      window.fabric!.on('log', (e) => {
        if (/^load failed|^loaded /.test(e.text)) settled = true;
      });
      const input = document.getElementById('slots-input') as HTMLInputElement;
      input.addEventListener('input', () => resolve(`${input.value} ${settled ? 'after' : 'during'} the load`), { once: true });
      const transfer = new DataTransfer();
      transfer.items.add((document.getElementById('test-picker') as HTMLInputElement).files![0]!);
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      setTimeout(() => {
        input.value = '7';
        input.dispatchEvent(new Event('input', { bubbles: true }));
      }, 0);
    }));
    expect(echo).toBe('7 during the load');
    await expect(error).toContainText(/^line-too-long: load: "huge-single-line\.csv" line 1: the record starting there is longer than 16,777,216 characters \(16 MiB\) with no line break/, { timeout: 120_000 });
    await expect(page.getByTestId('dataset-panel')).toContainText('No dataset loaded.');

    // A good CSV (BOM, CRLF, quoted commas and line breaks, an empty cell) loads and describes.
    const good = '\uFEFFid,x,note\r\n1,1,"a, b"\r\n2,2,"two\r\nlines"\r\n3,3,c\r\n4,,d\r\n5,10,e\r\n';
    await dropFile(page, 'good.csv', Buffer.from(good, 'utf8'));
    await expect(page.getByTestId('dataset-name')).toHaveText('good.csv');
    await expect(page.getByTestId('row-count')).toHaveText('5');
    await expect(error).toBeEmpty();
    const got = await coordinator.runDescribe();
    expect(got.map((c) => c.name)).toEqual(['id', 'x']);
    const x = got[1]!;
    expect([x.count, x.nulls, x.mean, x.min, x.max]).toEqual([4, 1, 4, 1, 10]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
