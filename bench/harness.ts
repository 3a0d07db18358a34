/**
 * What every benchmark driver in bench/ shares: the Fabric server in this process on a free port,
 * headless Chromium, pages whose errors fail the run, the machine's description, and an exit that
 * does not wait for the PeerServer's timers. Node side only; the pages have their own modules.
 */
import { execFileSync } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { createServer, type ViteDevServer } from 'vite';
import { CHROMIUM_ARGS, chromiumPath } from '../scripts/chromium.ts';

/** The repository root, with a trailing slash. */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A port nobody listens on now (the OS picks it; the server then binds it with strictPort). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, 'localhost', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** When set, the origin of a Fabric server already running, which startFabricServer then returns. */
export const SHARED_SERVER_ENV = 'FABRIC_BENCH_ORIGIN';

/** The running server and the origin pages are opened on. */
export interface BenchServer {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * The Fabric server, in this process: the project's vite.config.ts mounts the PeerServer. No file
 * watcher and no HMR: an edit elsewhere in the tree during a run would otherwise reload the pages
 * under measurement (seen here: "Execution context was destroyed" mid-run).
 */
export async function startFabricServer(): Promise<BenchServer> {
  // `npm run bench` (bench/suite.ts) starts one server for all the benchmarks it runs, so each
  // does not pay Vite's first transform of the app and tfjs again; the suite closes it.
  const shared = process.env[SHARED_SERVER_ENV];
  if (shared) return { origin: shared, close: async () => undefined };
  const port = await freePort();
  const server: ViteDevServer = await createServer({
    root: ROOT,
    configFile: `${ROOT}vite.config.ts`,
    server: { port, strictPort: true, hmr: false, watch: null },
    logLevel: 'warn',
    clearScreen: false,
  });
  await server.listen();
  return { origin: `http://localhost:${port}`, close: () => server.close() };
}

/** Headless Chromium: Debian's binary when present, with the project's flags (scripts/chromium.ts). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ headless: true, executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] });
}

/** A bench page and everything it has reported as an error. */
export interface BenchPage {
  readonly name: string;
  readonly page: Page;
  readonly errors: string[];
}

/**
 * Opens `url` in a new browser context and waits until `window[globalName]` exists. Page errors
 * and console errors are collected from the start, so a page that never gets ready says why.
 */
export async function openBenchPage(browser: Browser, url: string, name: string, globalName: string, timeoutMs: number, contextOptions: { bypassCSP?: boolean } = {}): Promise<BenchPage> {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  try {
    await page.waitForFunction((g) => g in window, globalName, { timeout: timeoutMs });
  } catch (e) {
    throw new Error(`the ${name} page never set window.${globalName} (${(e as Error).message}); page errors: ${errors.join(' | ') || 'none'}`);
  }
  return { name, page, errors };
}

/** Runs `fn` in the page and fails on any error the page reported meanwhile. */
export async function inPage<A, R>(bp: BenchPage, fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
  // Playwright types the argument as `Unboxed<A>`, which TypeScript cannot match to a generic `A`.
  const result = await bp.page.evaluate(fn as (arg: unknown) => R | Promise<R>, arg as unknown);
  if (bp.errors.length > 0) throw new Error(`the ${bp.name} page reported: ${bp.errors.join(' | ')}`);
  return result;
}

/** The machine lines every results file starts with. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly os: string;
}

/** CPU model, core count and OS of this machine. */
export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    cores: os.cpus().length,
    os: `${os.type()} ${os.release()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
  };
}

/**
 * Runs a driver's `main` and exits with 0, or 1 after printing the error. The exit is explicit:
 * the PeerServer (peer 1.0.2) keeps two self-rescheduling timers (broken-connection check, message
 * expiry) that nothing outside it can stop, so the process would otherwise never end.
 */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(() => 0, (e: unknown) => {
    console.error(`${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return 1;
  }).then((code) => process.exit(code));
}

/** Commit and uncommitted src/ files, so a results file says what it measured. */
export function codeState(): { commit: string; srcChanges: number } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' });
    return { commit, srcChanges: status.split('\n').filter(Boolean).length };
  } catch {
    return { commit: 'unknown', srcChanges: 0 };
  }
}

/** What every results file states about its run besides the measurements. */
export interface RunInfo extends MachineInfo {
  readonly date: string;
  readonly chromium: string;
  readonly commit: string;
  /** Files under src/ with uncommitted changes when the run started (the tree was measured as it was). */
  readonly srcChanges: number;
  readonly loadStart: readonly number[];
  readonly loadEnd: readonly number[];
  readonly runSeconds: number;
}

/** The machine, browser, code and load lines every results file opens with (after its date line). */
export function runInfoLines(info: RunInfo): string[] {
  const load = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(', ');
  return [
    `- Machine: ${info.cpuModel}, ${info.cores} cores, ${info.os}`,
    `- Chromium: ${info.chromium}`,
    `- Code: ${info.commit}${info.srcChanges > 0 ? ` with ${info.srcChanges} uncommitted file(s) under src/ (measured as they were)` : ''}`,
    `- Load average (1, 5, 15 min): ${load(info.loadStart)} at the start, ${load(info.loadEnd)} at the end`,
  ];
}
