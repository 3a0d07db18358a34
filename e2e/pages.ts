/**
 * Page objects for the coordinator and volunteer pages, and a fixture that fails a test on any
 * page error and attaches every browser console line when a test fails.
 */
import { expect, test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';

/** What `describe` renders, read back from the result table. */
export interface RenderedColumn {
  name: string;
  count: number;
  nulls: number;
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** The coordinator page. */
export class CoordinatorPage {
  constructor(readonly page: Page) {}

  /** Opens the page and waits for flights-3m to load (or for the room only, with `dataset: 'none'`). */
  async open(query = ''): Promise<void> {
    await this.page.goto(`/${query}`);
    await expect(this.page.getByTestId('join-link')).toHaveValue(/join\.html#room=/, { timeout: 60_000 });
    if (!query.includes('dataset=none')) await expect(this.page.getByTestId('row-count')).toHaveText('3,000,000', { timeout: 90_000 });
  }

  joinLink(): Promise<string> {
    return this.page.getByTestId('join-link').inputValue();
  }

  nodeRows() {
    return this.page.getByTestId('node-row');
  }

  async waitForNodes(count: number): Promise<void> {
    await expect(this.nodeRows()).toHaveCount(count, { timeout: 60_000 });
  }

  /** Log lines, newest last. */
  logs(): Promise<string[]> {
    return this.page.evaluate(() => window.fabric!.logs().map((l) => `[${l.level}] ${l.text}`));
  }

  async waitForLog(pattern: RegExp, timeout = 30_000): Promise<void> {
    await expect.poll(async () => (await this.logs()).some((l) => pattern.test(l)), { timeout, message: `log line ${pattern}` }).toBe(true);
  }

  /** Presses "Run describe" and returns the rendered table once it is done. */
  async runDescribe(): Promise<RenderedColumn[]> {
    await this.page.evaluate(() => {
      delete window.lastDescribe;
      document.getElementById('describe-result')?.removeAttribute('data-state');
    });
    await this.page.getByTestId('describe-button').click();
    await expect(this.page.getByTestId('describe-result')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
    return this.readDescribeTable();
  }

  async readDescribeTable(): Promise<RenderedColumn[]> {
    return this.page.getByTestId('describe-table').locator('tbody tr').evaluateAll((rows) => rows.map((tr) => {
      const stat = (s: string): number => Number(tr.querySelector(`[data-stat="${s}"]`)!.getAttribute('data-value'));
      return { name: tr.getAttribute('data-column')!, count: stat('count'), nulls: stat('nulls'), mean: stat('mean'), std: stat('std'), min: stat('min'), max: stat('max') };
    }));
  }

  /** Tasks each node id computed in the last describe. */
  tasksByNode(): Promise<Record<string, number>> {
    return this.page.evaluate(() => window.lastDescribe!.tasksByNode);
  }
}

/** A volunteer page in its own browser context. */
export class VolunteerPage {
  private constructor(readonly context: BrowserContext, readonly page: Page) {}

  static async open(browser: Browser, link: string, errors: string[], label: string, setup?: (context: BrowserContext) => Promise<void>): Promise<VolunteerPage> {
    // Certificate errors are ignored for LAN mode's self-signed certificate.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    await setup?.(context);
    const page = await context.newPage();
    watch(page, errors, label);
    await page.goto(link);
    return new VolunteerPage(context, page);
  }

  state() {
    return this.page.getByTestId('volunteer-state');
  }

  async waitJoined(): Promise<void> {
    await expect(this.state()).toHaveAttribute('data-state', 'joined', { timeout: 60_000 });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

function watch(page: Page, errors: string[], label: string): void {
  page.on('pageerror', (e) => errors.push(`${label}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`${label}: console error: ${m.text()}`);
  });
}

/** Opens the coordinator with no local slots and a joined volunteer per name, so volunteers do all the work. */
export async function withVolunteers(coordinator: CoordinatorPage, browser: Browser, errors: string[], names: readonly string[]): Promise<VolunteerPage[]> {
  await coordinator.open('?slots=0');
  const link = await coordinator.joinLink();
  const volunteers = await Promise.all(names.map((name) => VolunteerPage.open(browser, `${link}&name=${name}`, errors, name)));
  for (const v of volunteers) await v.waitJoined();
  await coordinator.waitForNodes(names.length);
  return volunteers;
}

/** Test fixtures: a coordinator page, and a list of browser errors that must stay empty. */
export const test = base.extend<{ coordinator: CoordinatorPage; errors: string[] }>({
  errors: async ({}, use) => {
    const errors: string[] = [];
    await use(errors);
    // Every page error or console error fails the test that caused it.
    expect(errors, 'browser errors').toEqual([]);
  },
  coordinator: async ({ page, errors }, use) => {
    watch(page, errors, 'coordinator');
    await use(new CoordinatorPage(page));
  },
});

export { expect };
