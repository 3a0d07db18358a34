/**
 * Standings for classroom mode: each live node's tasks committed, its share of all of them, and its
 * rank, so a volunteer's page can say "you did 12% of the work, 2nd of 13". Computed here from
 * the nodes table (the coordinator is the only one who sees every node) and sent to volunteers.
 */
import type { Standing } from '../protocol/messages';

/** What a standing is computed from: a row of the nodes table. */
export interface StandingInput {
  readonly id: string;
  readonly tasksDone: number;
  readonly joinedAt: number;
}

/**
 * Standings of every node by tasks committed, most first; ties go to the node that joined first,
 * so a rank does not flicker between equal nodes. Shares are 0 while nothing is done.
 */
export function computeStandings(nodes: readonly StandingInput[]): Map<string, Standing> {
  const total = nodes.reduce((s, n) => s + n.tasksDone, 0);
  const ranked = [...nodes].sort((a, b) => b.tasksDone - a.tasksDone || a.joinedAt - b.joinedAt);
  const out = new Map<string, Standing>();
  ranked.forEach((n, i) => out.set(n.id, {
    tasksDone: n.tasksDone,
    share: total > 0 ? n.tasksDone / total : 0,
    rank: i + 1,
    of: ranked.length,
  }));
  return out;
}

/**
 * Sends standings at most once per `everyMs`, after the counts change. Once a second keeps a
 * volunteer's page live for a class watching it, for one small message per volunteer.
 */
export class StandingsBroadcaster {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly nodes: () => readonly StandingInput[],
    private readonly send: (nodeId: string, standing: Standing) => void,
    private readonly everyMs = 1000,
  ) {}

  /** Counts changed: send new standings soon. */
  poke(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      for (const [id, s] of computeStandings(this.nodes())) this.send(id, s);
    }, this.everyMs);
  }

  /** Stops any pending send. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
