/**
 * `npm run volunteer -- --join <link> [--tabs N] [--slots N] [--slow F] [--lie MODE] [--name NAME] [--seconds S]`
 *
 * Starts N headless Chromium volunteers, each in its own browser context, on a coordinator's join
 * link: for labs with spare machines, tests and benchmarks. Prints each tab's state as it changes
 * and runs until Ctrl-C (or for `--seconds`).
 */
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { chromiumPath, CHROMIUM_ARGS, INSTALL_CHROMIUM } from './chromium.ts';
import { isLieMode, LIE_MODES } from '../src/worker/liar.ts';
import { parseJoinLink, volunteerTabUrl } from './volunteer-tabs.ts';

const { values } = parseArgs({
  options: {
    join: { type: 'string' },
    tabs: { type: 'string', default: '1' },
    slots: { type: 'string' },
    slow: { type: 'string' },
    lie: { type: 'string' },
    name: { type: 'string', default: 'headless' },
    seconds: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(message: string): never {
  console.error(`volunteer: ${message}`);
  process.exit(2);
}

if (values.help || !values.join) {
  console.log('usage: npm run volunteer -- --join <link from the coordinator page> [--tabs N] [--slots N] [--slow F] [--lie scale|nan|reverse] [--name NAME] [--seconds S]');
  process.exit(values.help ? 0 : 2);
}
const parsed = parseJoinLink(values.join);
if ('problem' in parsed) fail(parsed.problem);
const { link } = parsed;
const tabs = Number(values.tabs);
if (!Number.isInteger(tabs) || tabs < 1 || tabs > 64) fail(`--tabs expects a whole number from 1 to 64, got "${values.tabs}"`);
if (values.slots !== undefined && !(Number.isInteger(Number(values.slots)) && Number(values.slots) >= 1)) fail(`--slots expects a whole number of at least 1, got "${values.slots}"`);
if (values.slow !== undefined && !(Number(values.slow) >= 1)) fail(`--slow expects a factor of at least 1, got "${values.slow}"`);
if (values.lie !== undefined && !isLieMode(values.lie)) fail(`--lie expects one of ${LIE_MODES.join(', ')} (a dishonest volunteer for demos of verification mode), got "${values.lie}"`);

const executablePath = chromiumPath();
const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] }).catch((e: unknown) => {
  fail(`could not start Chromium (${(e as Error).message.split('\n')[0]}). Install it with: ${INSTALL_CHROMIUM}`);
});

const pages: Page[] = [];
for (let i = 0; i < tabs; i++) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  const url = volunteerTabUrl(link, {
    name: tabs > 1 ? `${values.name}-${i + 1}` : values.name,
    slots: values.slots === undefined ? undefined : Number(values.slots),
    slow: values.slow === undefined ? undefined : Number(values.slow),
    lie: values.lie,
  });
  let last = '';
  page.on('pageerror', (e) => console.error(`[tab ${i + 1}] page error: ${e.message}`));
  await page.exposeFunction('reportVolunteer', (state: string, detail: string) => {
    const line = `${state}: ${detail}`;
    if (line !== last && state !== 'joined') console.log(`[tab ${i + 1}] ${line}`);
    if (state === 'joined' && !last.startsWith('joined')) console.log(`[tab ${i + 1}] joined: ${detail}`);
    last = line;
  });
  await page.goto(url);
  await page.evaluate(() => {
    setInterval(() => {
      const s = (window as unknown as { volunteerStatus?: { state: string; detail: string } }).volunteerStatus;
      if (s) void (window as unknown as { reportVolunteer: (a: string, b: string) => Promise<void> }).reportVolunteer(s.state, s.detail);
    }, 500);
  });
  pages.push(page);
}
console.log(`volunteer: ${tabs} headless tab(s) on ${link.origin}; Ctrl-C to leave`);

const stop = async (): Promise<void> => {
  await Promise.all(pages.map((p) => p.evaluate(() => (window as unknown as { volunteer?: { leave(r: string): void } }).volunteer?.leave('headless volunteer stopped')).catch(() => undefined)));
  await browser.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
if (values.seconds) setTimeout(() => void stop(), Number(values.seconds) * 1000);
