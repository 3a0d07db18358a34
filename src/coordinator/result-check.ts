/** Checking a task's result against its kind's schema before it is committed. */
import { FabricError } from '../protocol/errors';
import { TASK_KINDS, type TaskKind } from '../protocol/tasks';

/** Returns the parsed result, or throws `schema-mismatch` naming the first bad field. */
export function checkResult(kind: TaskKind, result: unknown, from: string): unknown {
  const parsed = TASK_KINDS[kind].result.safeParse(result);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new FabricError('schema-mismatch', `${from}: ${kind} result failed its schema at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`);
}
