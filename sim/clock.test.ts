import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from './clock';

describe('VirtualClock', () => {
  let clock: VirtualClock | undefined;
  afterEach(() => clock?.uninstall());

  it('fires timers in order of time, ties in the order they were set, each at its own time', async () => {
    clock = new VirtualClock(1_000);
    const seen: string[] = [];
    const note = (name: string) => () => seen.push(`${name}@${clock!.now()}`);
    clock.setTimeout(note('c'), 30);
    clock.setTimeout(note('a1'), 10);
    clock.setTimeout(note('b'), 20);
    clock.setTimeout(note('a2'), 10);
    clock.setTimeout(note('z'), -5); // negative delays run at once, as in Node
    expect(await clock.run()).toBe('idle');
    expect(seen).toEqual(['z@1000', 'a1@1010', 'a2@1010', 'b@1020', 'c@1030']);
    expect(clock.fired).toBe(5);
  });

  it('runs timers set from timers, and skips cleared ones', async () => {
    clock = new VirtualClock();
    const seen: number[] = [];
    const doomed = clock.setTimeout(() => seen.push(-1), 15);
    clock.setTimeout(() => {
      seen.push(clock!.now());
      clock!.setTimeout(() => seen.push(clock!.now()), 10);
      clock!.clearTimeout(doomed);
    }, 10);
    clock.clearTimeout(12345); // unknown ids are ignored
    await clock.run();
    expect(seen).toEqual([10, 20]);
    expect(clock.pending).toBe(0);
  });

  it('lets every Promise job finish before the next timer, even at the same time', async () => {
    clock = new VirtualClock();
    let chain = 'not yet';
    clock.setTimeout(() => {
      void (async () => {
        await Promise.resolve();
        await new Promise<void>((r) => queueMicrotask(r));
        await new Promise<void>((r) => process.nextTick(r));
        chain = `done at ${clock!.now()}`;
      })();
    }, 5);
    let seenBySecond = '';
    clock.setTimeout(() => { seenBySecond = chain; }, 5);
    await clock.run();
    expect(seenBySecond).toBe('done at 5');
  });

  it('stops when done, or at a limit with the clock standing there', async () => {
    clock = new VirtualClock();
    let count = 0;
    const tick = (): void => {
      count += 1;
      clock!.setTimeout(tick, 100);
    };
    clock.setTimeout(tick, 100);
    expect(await clock.run(() => count === 3)).toBe('done');
    expect(clock.now()).toBe(300);
    expect(await clock.run(() => false, 1_050)).toBe('limit');
    expect(clock.now()).toBe(1_050);
    expect(count).toBe(10);
  });

  it('stands behind Date.now, setTimeout and clearTimeout while installed, and puts them back', async () => {
    const realNow = Date.now;
    const realSetTimeout = globalThis.setTimeout;
    clock = new VirtualClock(50_000);
    clock.install();
    expect(Date.now()).toBe(50_000);
    const order: string[] = [];
    setTimeout((who: string) => order.push(`${who}@${Date.now()}`), 2_000, 'late');
    const cancelled = setTimeout(() => order.push('cancelled'), 1_000);
    clearTimeout(cancelled);
    setTimeout(() => order.push(`early@${Date.now()}`), 1_000);
    await clock.run();
    expect(order).toEqual(['early@51000', 'late@52000']);
    clock.uninstall();
    expect(Date.now).toBe(realNow);
    expect(globalThis.setTimeout).toBe(realSetTimeout);
    expect(Math.abs(Date.now() - new Date().getTime())).toBeLessThan(1_000);
  });
});
