/**
 * `fit-groups`: one model per group of a batch (OLS, ridge or logistic), or a developer's group
 * task (`defineGroupTask`) per group. The batch arrives as an Arrow IPC artifact, its groups one
 * after another. A group that fails (over the memory budget, a throwing custom task) becomes a
 * row with its status; the other groups of the batch still finish.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { buildGroupDesign, groupCoefficientNames } from '../../data/group-design';
import { gramCpu, type GramResult, type GroupedRows } from '../../kernels/gram';
import { chooseGramBackend } from '../../kernels/gram-choice';
import { gramGpu } from '../../kernels/gram-runner';
import type { KernelChoice } from '../../kernels/kernel-choice';
import { tooLargeMessage } from '../../ml/fit-status';
import { fitGroupRows } from '../../ml/group-fit';
import { groupTask, type GroupValue } from '../../ml/group-tasks';
import { FabricError } from '../../protocol/errors';
import { GROUP_FAILED, GROUP_TOO_LARGE, type FitGroupsParams, type FitGroupsResult, type GroupOutcome } from '../../protocol/groups';
import type { ExecutorContext, ExecutorOutput } from './registry';

/** Rows of the first batch the Gram backends are timed on; enough for a stable median (gram-choice.ts). */
const CHOICE_SAMPLE_ROWS = 20_000;

function tooLarge(key: string, rows: number, bytes: number, budget: number): GroupOutcome {
  return {
    key, rows, status: GROUP_TOO_LARGE, metrics: {}, ms: 0,
    message: tooLargeMessage(key, rows, bytes, budget),
  };
}

/** Puts coefficient names in a solver's message: `column 2` → `column "intercept"`, with a hint for the intercept. */
function nameColumns(message: string, names: readonly string[]): string {
  const named = message.replace(/column (\d+)/g, (_, i: string) => `column "${names[Number(i)] ?? i}"`);
  return /column "intercept" is \(nearly\) a linear combination/.test(named)
    ? `${named} A feature is constant in this group, so it duplicates the intercept.`
    : named;
}

/** The slot's Gram backend, measured once on its first batch when it has a WebGPU device. */
async function gramBackend(ctx: ExecutorContext, rows: GroupedRows): Promise<KernelChoice> {
  const cached = ctx.memo.get('gram-backend') as Promise<KernelChoice> | undefined;
  if (cached) return cached;
  let sampleGroups = 1;
  while (sampleGroups < rows.groupStart.length - 1 && rows.groupStart[sampleGroups]! < CHOICE_SAMPLE_ROWS) sampleGroups++;
  const end = rows.groupStart[sampleGroups]!;
  const sample: GroupedRows = { rows: end, cols: rows.cols, x: rows.x.subarray(0, end * rows.cols), y: rows.y.subarray(0, end), groupStart: rows.groupStart.slice(0, sampleGroups + 1) };
  const choice = chooseGramBackend(ctx.gpu, sample);
  ctx.memo.set('gram-backend', choice);
  return choice;
}

async function gramOf(ctx: ExecutorContext, rows: GroupedRows): Promise<{ result: GramResult; ms: number; kernel: 'cpu' | 'webgpu' }> {
  const kernel = ctx.gpu ? (await gramBackend(ctx, rows)).chosen : 'cpu';
  const t0 = performance.now();
  const result = kernel === 'webgpu' && ctx.gpu ? await gramGpu(ctx.gpu, rows) : gramCpu(rows);
  return { result, ms: performance.now() - t0, kernel };
}

async function applyCustom(name: string, table: Table, params: FitGroupsParams, fits: (i: number) => boolean): Promise<GroupOutcome[]> {
  const fn = groupTask(name);
  const out: GroupOutcome[] = [];
  let r0 = 0;
  for (const [i, g] of params.groups.entries()) {
    const slice = table.slice(r0, r0 + g.rows);
    r0 += g.rows;
    if (!fits(i)) continue;
    const t0 = performance.now();
    try {
      const values: Record<string, GroupValue> = await fn(slice, { key: g.key });
      out[i] = { key: g.key, rows: g.rows, status: 'ok', message: '', metrics: {}, values, ms: performance.now() - t0 };
    } catch (e) {
      const err = FabricError.from(e, 'task-failed');
      out[i] = { key: g.key, rows: g.rows, status: GROUP_FAILED, message: `${name} threw: ${err.message}`, metrics: {}, ms: performance.now() - t0 };
    }
  }
  return out;
}

/** Runs one `fit-groups` task. */
export async function runFitGroups(params: FitGroupsParams, ctx: ExecutorContext): Promise<ExecutorOutput<FitGroupsResult>> {
  const table = tableFromIPC(ctx.artifact(params.batch));
  const total = params.groups.reduce((s, g) => s + g.rows, 0);
  if (total !== table.numRows) throw new FabricError('schema-mismatch', `fit-groups: the groups list ${total} rows but batch ${params.batch} holds ${table.numRows}`);
  // The coordinator planned with the same estimate, so this only catches a batch it should not have sent.
  const perRow = params.bytesPerRow;
  const fits = (i: number): boolean => params.groups[i]!.rows * perRow <= params.budgetBytes;
  const outcomes: GroupOutcome[] = new Array(params.groups.length);
  params.groups.forEach((g, i) => {
    if (!fits(i)) outcomes[i] = tooLarge(g.key, g.rows, g.rows * perRow, params.budgetBytes);
  });

  if (params.model.kind === 'custom') {
    const custom = await applyCustom(params.model.name, table, params, fits);
    custom.forEach((o, i) => (outcomes[i] = o));
    return { result: { groups: outcomes, p: 0, kernel: 'cpu' }, binary: [new Uint8Array(0)] };
  }

  if (!params.target) throw new FabricError('bad-input', 'fit-groups: a model fit needs a target');
  const intercept = params.features.length === 0 || params.intercept;
  const design = buildGroupDesign(table, params.groups.map((g) => g.rows), params.features, params.target, intercept, params.missing);
  const gram = params.model.kind === 'linear' ? await gramOf(ctx, design.rows) : undefined;
  const fitted = fitGroupRows(design.rows, params.model, intercept, gram);
  const p = design.rows.cols;
  const names = groupCoefficientNames(params.features, intercept);
  params.groups.forEach((g, i) => {
    if (outcomes[i]) {
      fitted.coefficients.fill(NaN, i * p, (i + 1) * p);
      return;
    }
    const f = fitted.fits[i]!;
    const missing = design.missingIn[i];
    const dropped = design.dropped[i]!;
    const message = missing && f.status === 'non-finite'
      ? `column "${missing}" has NaN or null values in this group; drop those rows (missing: 'drop') or clean the column`
      : dropped > 0 ? `${nameColumns(f.message, names)}${f.message ? ' ' : ''}(${dropped} row${dropped === 1 ? '' : 's'} with missing values dropped)` : nameColumns(f.message, names);
    outcomes[i] = { key: g.key, rows: f.rows, status: f.status, message, metrics: f.metrics, ms: f.ms };
  });
  return { result: { groups: outcomes, p, kernel: gram?.kernel ?? 'cpu' }, binary: [new Uint8Array(fitted.coefficients.buffer)] };
}
