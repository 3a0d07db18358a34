/**
 * A virtual clock: a timer heap and an event loop that jumps from one timer to the next, so an hour
 * of the scheduler's time passes in seconds. `install()` puts it behind `Date.now`, `setTimeout` and
 * `clearTimeout` (what src/coordinator/scheduler.ts reads), `uninstall()` puts the real ones back.
 * Between two timers every Promise job runs to completion: the loop yields to the real
 * `setImmediate`, which Node runs only after the microtask and `nextTick` queues are empty, as it
 * does between two real timers.
 */

interface Timer {
  readonly id: number;
  readonly at: number;
  /** Ties on `at` run in the order they were set, as Node runs them. */
  readonly seq: number;
  readonly fn: () => void;
}

/** Why a run ended. */
export type RunEnd = 'done' | 'idle' | 'limit';

/** A clock that runs only when asked, and only as far as its timers go. */
export class VirtualClock {
  private nowMs: number;
  private readonly heap: Timer[] = [];
  /** Live timers by id; a cleared timer stays in the heap until popped or compacted. */
  private readonly live = new Map<number, Timer>();
  private nextId = 1;
  private nextSeq = 0;
  private saved: { now: () => number; setTimeout: unknown; clearTimeout: unknown } | undefined;
  /** Timer callbacks run so far. */
  fired = 0;

  /** Starts at `startMs` (an epoch in ms, so code that prints dates sees a plausible one). */
  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  /** Virtual ms now. */
  now(): number {
    return this.nowMs;
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.live.size;
  }

  /** Runs `fn` after `ms` virtual ms (0 when negative or NaN, as browsers and Node do). */
  setTimeout(fn: () => void, ms = 0): number {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: Timer = { id: this.nextId++, at: this.nowMs + delay, seq: this.nextSeq++, fn };
    this.live.set(timer.id, timer);
    this.push(timer);
    return timer.id;
  }

  /** Cancels a timer; unknown or fired ids are ignored. */
  clearTimeout(id: unknown): void {
    if (typeof id !== 'number' || !this.live.delete(id)) return;
    // The scheduler re-arms its locality timer on every dispatch: drop the dead entries now and then.
    if (this.heap.length > 1024 && this.heap.length > 4 * this.live.size) this.compact();
  }

  /** Replaces `Date.now`, `setTimeout` and `clearTimeout` on the global object until `uninstall`. */
  install(): void {
    if (this.saved) return;
    const g = globalThis as unknown as Record<'setTimeout' | 'clearTimeout', unknown>;
    this.saved = { now: Date.now, setTimeout: g.setTimeout, clearTimeout: g.clearTimeout };
    Date.now = () => this.nowMs;
    g.setTimeout = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => this.setTimeout(() => fn(...args), ms);
    g.clearTimeout = (id: unknown) => this.clearTimeout(id);
  }

  /** Restores the real clock functions. */
  uninstall(): void {
    if (!this.saved) return;
    const g = globalThis as unknown as Record<'setTimeout' | 'clearTimeout', unknown>;
    Date.now = this.saved.now;
    g.setTimeout = this.saved.setTimeout;
    g.clearTimeout = this.saved.clearTimeout;
    this.saved = undefined;
  }

  /**
   * Fires timers in order of time until `done()` holds ('done'), no timer is left ('idle': nothing
   * can happen any more), or the next timer lies past `untilMs` ('limit'; the clock then stands at
   * `untilMs`). Promise jobs run to completion before `done` is asked and between timers.
   */
  async run(done: () => boolean = () => false, untilMs = Number.POSITIVE_INFINITY): Promise<RunEnd> {
    for (;;) {
      await drainMicrotasks();
      if (done()) return 'done';
      const next = this.peek();
      if (!next) return 'idle';
      if (next.at > untilMs) {
        this.nowMs = Math.max(this.nowMs, untilMs);
        return 'limit';
      }
      this.pop();
      this.live.delete(next.id);
      this.nowMs = Math.max(this.nowMs, next.at);
      this.fired += 1;
      next.fn();
    }
  }

  /** The earliest live timer, dropping cleared ones from the top of the heap. */
  private peek(): Timer | undefined {
    while (this.heap.length > 0 && !this.live.has(this.heap[0]!.id)) this.pop();
    return this.heap[0];
  }

  private compact(): void {
    const keep = this.heap.filter((t) => this.live.has(t.id));
    this.heap.length = 0;
    for (const t of keep) this.push(t);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && earlier(h[l]!, h[m]!)) m = l;
      if (r < h.length && earlier(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function earlier(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** The real setImmediate, captured before anything could replace it. */
const realSetImmediate = globalThis.setImmediate;

/** Resolves once every queued microtask (and those they queue) has run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => realSetImmediate(resolve));
}
