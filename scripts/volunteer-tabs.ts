/**
 * How a headless volunteer tab joins a coordinator: the join link's fragment (room and token) plus
 * the tab's name, slot count and slowdown. Shared by `npm run volunteer` (scripts/volunteer.ts)
 * and the benchmarks that start volunteers (bench/tune-parallel.ts), so both join the same way.
 */

/** What one volunteer tab is asked to be. */
export interface VolunteerTabOptions {
  readonly name: string;
  /** Slots (Web Workers) in the tab; the page's own default when absent. */
  readonly slots?: number | undefined;
  /** Slowdown factor for tests (1 = full speed); none when absent. */
  readonly slow?: number | undefined;
  /** A dishonest volunteer's way of corrupting results (src/worker/liar.ts), for verification demos. */
  readonly lie?: string | undefined;
}

/**
 * Reads a join link as the coordinator page shows it (http(s)://host:port/join.html#room=…&token=…).
 * Returns undefined with the reason when it is not one, so a CLI can say what to copy instead.
 */
export function parseJoinLink(raw: string): { link: URL } | { problem: string } {
  let link: URL;
  try {
    link = new URL(raw);
  } catch {
    return { problem: `--join expects the join link shown on the coordinator page (http(s)://host:port/join.html#room=…&token=…), got "${raw}"` };
  }
  const hash = new URLSearchParams(link.hash.slice(1));
  if (!hash.get('room') || !hash.get('token')) return { problem: 'the join link lacks #room=…&token=…; copy it again from the coordinator page' };
  return { link };
}

/** The URL a volunteer tab opens: the join link with the tab's options added to its fragment. */
export function volunteerTabUrl(link: URL, options: VolunteerTabOptions): string {
  const params = new URLSearchParams(link.hash.slice(1));
  params.set('name', options.name);
  if (options.slots !== undefined) params.set('slots', String(options.slots));
  if (options.slow !== undefined) params.set('slow', String(options.slow));
  if (options.lie !== undefined) params.set('lie', options.lie);
  const url = new URL(link);
  url.hash = params.toString();
  return url.href;
}
