/**
 * The first rows of flights-3m, served to the coordinator page as Arrow IPC through a Playwright
 * route, for tests whose point is not the data's size: on SwiftShader one slot's WebGPU pass over
 * all 3M rows takes about 20 s, too long to repeat. The reference is computed on the same rows.
 */
import type { Page } from '@playwright/test';
import { tableToIPC, type Table } from 'apache-arrow';
import { flightsTable } from './reference';

/** Where the page fetches the sample from; the route answers, nothing is on disk. */
const SAMPLE_PATH = '/e2e-data/flights-sample.arrow';

/** The first `rows` rows of flights-3m. */
export function flightsSample(rows: number): Table {
  return flightsTable().slice(0, rows);
}

/** Loads the first `rows` rows into the coordinator, cut into partitions of `partitionRows`. */
export async function loadFlightsSample(page: Page, rows: number, partitionRows: number): Promise<void> {
  const body = Buffer.from(tableToIPC(flightsSample(rows), 'file'));
  await page.route(`**${SAMPLE_PATH}`, (route) => route.fulfill({ body, contentType: 'application/vnd.apache.arrow.file' }));
  await page.evaluate(([path, partitionRows]) => window.fabric!.load(path, { name: 'flights-sample.arrow', partitionRows }).then(() => undefined), [SAMPLE_PATH, partitionRows] as const);
}
