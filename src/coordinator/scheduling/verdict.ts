/**
 * Deciding a checked task: results from different nodes are compared, and a result counts only
 * once a second node agrees with it (or the coordinator's own slot computed it). Pure logic.
 */
import { FabricError } from '../../protocol/errors';
import type { TaskOutput } from '../executor-node';

/** One node's result for a task. */
export interface NodeResult {
  readonly output: TaskOutput;
  readonly nodeId: string;
  readonly slot: number;
  readonly ms: number;
  /** Computed by the coordinator's own slots: its answer is known to be honest. */
  readonly trusted: boolean;
}

/** Compares two results of one task: undefined when they agree, else how they differ. */
export type Agreement = (a: TaskOutput, b: TaskOutput) => string | undefined;

/** What to do with a task after a result arrived. */
export type Verdict =
  | { readonly kind: 'commit'; readonly result: NodeResult; readonly agreed: readonly string[]; readonly excluded: readonly Exclusion[] }
  | { readonly kind: 'check'; readonly avoid: readonly string[] }
  | { readonly kind: 'fail'; readonly error: FabricError };

/** A node whose result disagreed with the accepted one. */
export interface Exclusion {
  readonly nodeId: string;
  readonly reason: string;
}

/**
 * Judges `next` against the results held so far (which disagree with each other). `wantCheck` says
 * whether an unchecked result should be checked before it counts.
 */
export function judge(taskId: string, held: readonly NodeResult[], next: NodeResult, agree: Agreement, wantCheck: boolean): Verdict {
  if (held.length === 0) {
    return wantCheck && !next.trusted ? { kind: 'check', avoid: [next.nodeId] } : { kind: 'commit', result: next, agreed: [], excluded: [] };
  }
  const differences = held.map((h) => agree(h.output, next.output));
  const matching = held.filter((_, i) => differences[i] === undefined);
  if (matching.length > 0) {
    const group = [...matching, next];
    const winner = group.find((r) => r.trusted) ?? matching[0]!;
    const excluded = held.filter((_, i) => differences[i] !== undefined).map((h) => ({ nodeId: h.nodeId, reason: `its result for ${taskId} disagreed with ${group.length} others (${agree(h.output, winner.output) ?? 'differs'})` }));
    return { kind: 'commit', result: winner, agreed: group.filter((r) => !r.trusted).map((r) => r.nodeId), excluded };
  }
  const trustedHeld = held.find((h) => h.trusted);
  if (trustedHeld) {
    return { kind: 'commit', result: trustedHeld, agreed: [], excluded: [{ nodeId: next.nodeId, reason: `its result for ${taskId} disagreed with the coordinator's own (${agree(trustedHeld.output, next.output)})` }] };
  }
  if (next.trusted) {
    return { kind: 'commit', result: next, agreed: [], excluded: held.map((h, i) => ({ nodeId: h.nodeId, reason: `its result for ${taskId} disagreed with the coordinator's own (${differences[i]})` })) };
  }
  const all = [...held, next];
  if (all.length >= 3) {
    const nodes = all.map((r) => r.nodeId).join(', ');
    return { kind: 'fail', error: new FabricError('verification-failed', `task ${taskId} gave ${all.length} different results on nodes ${nodes}; none agrees with another, so no result can be trusted (${differences.join('; ')})`) };
  }
  return { kind: 'check', avoid: all.map((r) => r.nodeId) };
}
