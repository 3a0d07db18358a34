/**
 * Downloads of a scored table (the input columns with the predictions added): Arrow IPC, Parquet
 * (`tableToParquet`, which loads parquet-wasm on first use) and CSV
 * (score-csv.ts). A scored flights-3m is 3 million rows: each button says what it is doing.
 */
import { tableToIPC, type Table } from 'apache-arrow';
import { tableToParquet } from '../../index';
import { h } from '../dom';
import { tableToCsv } from './score-csv';

/** Saves `blob` as a file named `name`. */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  // The download has read the URL by then; revoking later frees the (possibly large) Blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * The download buttons of a scored table. `table` is called on the first click (building the
 * table of every row costs a little, so it is not done until asked).
 */
export function renderScoreDownloads(table: () => Table, file: string, showError: (e: unknown) => void): HTMLElement {
  const status = h('span', { class: 'small muted', 'aria-live': 'polite', 'data-testid': 'score-download-status' });
  const button = (kind: string, label: string, make: (t: Table) => Promise<Blob>): HTMLButtonElement => {
    const b = h('button', { type: 'button', 'data-testid': `score-download-${kind}` }, label);
    b.addEventListener('click', () => {
      b.disabled = true;
      status.textContent = `Preparing ${label}…`;
      void Promise.resolve().then(() => make(table())).then((blob) => {
        downloadBlob(`${file}.${kind}`, blob);
        status.textContent = `${label}: ${(blob.size / 1048576).toFixed(1)} MiB`;
      }).catch((e: unknown) => {
        status.textContent = `${label} failed.`;
        showError(e);
      }).finally(() => (b.disabled = false));
    });
    return b;
  };
  const csv = button('csv', 'CSV', (t) => tableToCsv(t, (done) => (status.textContent = `Preparing CSV… ${Math.round((100 * done) / Math.max(1, t.numRows))}%`)));
  const arrow = button('arrow', 'Arrow', (t) => Promise.resolve(new Blob([tableToIPC(t, 'stream') as BlobPart], { type: 'application/vnd.apache.arrow.stream' })));
  const parquet = button('parquet', 'Parquet', async (t) => new Blob([(await tableToParquet(t)) as BlobPart], { type: 'application/vnd.apache.parquet' }));
  return h('div', { class: 'row' }, h('span', { class: 'small' }, 'Download every row with its predictions:'), csv, arrow, parquet, status);
}
