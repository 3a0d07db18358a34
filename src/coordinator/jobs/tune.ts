/**
 * The tune job (hyperopt's `fmin(fn, space, algo=tpe.suggest, max_evals, trials=SparkTrials(k))`):
 * keeps `parallelism` trials running, each a one-task job on whichever slot is free, and suggests
 * the next point from every trial so far whenever one ends. Pending trials enter TPE through a
 * constant liar, so parallel suggestions do not repeat. A trial whose objective fails is recorded
 * as `fail` and not retried; a trial lost with its node is run again elsewhere by the scheduler
 * and counted once, so `maxEvals` counts finished trials exactly.
 */
import { resumableRandom } from '../../kernels/random';
import { BUILTIN_OBJECTIVES } from '../../ml/objectives';
import { resolvePoint, validateSpace, type Point } from '../../ml/tune/space';
import { gridPoints, suggestRandom, suggestTpe, type TrialRecord } from '../../ml/tune/tpe';
import type { DatasetInfo, PartitionRef } from '../../protocol/dataset';
import { FabricError } from '../../protocol/errors';
import type { TrialData, TrialParams, TrialResult } from '../../protocol/tune';
import type { ArtifactStore } from '../artifact-store';
import type { Scheduler } from '../scheduler';
import type { JobCheckpointing, TuneState } from '../checkpoint/checkpoint-types';
import { checkpointEvery } from './train';
import { sampleIpc } from '../tune-sample';
import { parseFeature } from './train-features';
import type { Trial, TuneOptions, TuneResult, TuneStop } from './tune-types';

let jobSeq = 0;

function whole(name: string, v: number | undefined, min: number, max: number): void {
  if (v !== undefined && !(Number.isInteger(v) && v >= min && v <= max)) throw new FabricError('bad-input', `tune: ${name} must be a whole number from ${min} to ${max}, got ${String(v)}`);
}

function checkOptions(o: TuneOptions): void {
  if (!o || typeof o !== 'object') throw new FabricError('bad-input', 'tune: options must be an object such as { space, objective: \'mlp\', maxEvals: 50 }');
  validateSpace(o.space);
  if (typeof o.objective !== 'string' || o.objective.length === 0) throw new FabricError('bad-input', `tune: objective must be 'mlp', 'glm', 'wait' or a name given to defineObjective, got ${JSON.stringify(o.objective)}`);
  whole('maxEvals', o.maxEvals, 1, 100_000);
  if (o.maxEvals === undefined) throw new FabricError('bad-input', 'tune: maxEvals is required, e.g. maxEvals: 50');
  whole('parallelism', o.parallelism, 1, 10_000);
  whole('seed', o.seed, -(2 ** 31), 2 ** 31 - 1);
  whole('earlyStop', o.earlyStop, 1, 100_000);
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) throw new FabricError('bad-input', `tune: timeoutMs must be a positive number of milliseconds, got ${o.timeoutMs}`);
  if (o.lossThreshold !== undefined && !Number.isFinite(o.lossThreshold)) throw new FabricError('bad-input', `tune: lossThreshold must be a finite number, got ${o.lossThreshold}`);
  if (o.algo !== undefined && !['tpe', 'random', 'grid'].includes(o.algo)) throw new FabricError('bad-input', `tune: algo must be 'tpe', 'random' or 'grid', got ${JSON.stringify(o.algo)}`);
}

/** Builds the run's data artifact, when the objective needs one (or the caller gave data). */
async function tuneData(o: TuneOptions, dataset: DatasetInfo | undefined, bytes: (ref: PartitionRef) => Uint8Array, artifacts: ArtifactStore): Promise<{ data: TrialData; artifact: Awaited<ReturnType<ArtifactStore['put']>> } | undefined> {
  const needs = o.objective === 'mlp' || o.objective === 'glm';
  if (!o.data) {
    if (needs) throw new FabricError('bad-input', `tune: the ${o.objective} objective trains on data: pass data: { target: { column: 'delay', threshold: 15 }, features: ['distance', 'hour(date)'] }`);
    return undefined;
  }
  if (!dataset) throw new FabricError('no-dataset', 'tune: data needs a loaded dataset. Call fabric.load(\'flights-3m\') (or a file) first.');
  const target = typeof o.data.target === 'string' ? { column: o.data.target } : o.data.target;
  const features = o.data.features.map((f) => parseFeature(f, dataset));
  if (features.length === 0) throw new FabricError('bad-input', 'tune: data.features is empty; give at least one feature');
  const holdout = o.data.holdout ?? 0.2;
  if (!(holdout >= 0.01 && holdout <= 0.9)) throw new FabricError('bad-input', `tune: data.holdout must be from 0.01 to 0.9, got ${holdout}`);
  const columns = [...new Set([...features.map((f) => f.column), target.column])];
  const artifact = await artifacts.put(sampleIpc(dataset, bytes, columns, o.data.rows));
  return { artifact, data: { artifact: artifact.id, target, features, holdout, missing: o.data.missing ?? 'error', splitSeed: o.seed ?? 1 } };
}

/**
 * Runs a search on the scheduler's slots. With `checkpointing`, the search's state goes to
 * `checkpointing.save` every `o.checkpoint.every` finished trials; given `checkpointing.from`, the
 * search continues from it: finished trials kept, the trials that were running run again with
 * their ids and points, and the generator continues where it stopped, so the suggestions that
 * follow are the ones the uninterrupted run would have made.
 */
export async function runTuneJob(scheduler: Scheduler, artifacts: ArtifactStore, dataset: DatasetInfo | undefined, bytes: (ref: PartitionRef) => Uint8Array, o: TuneOptions, checkpointing?: JobCheckpointing<TuneState>): Promise<TuneResult> {
  const from = checkpointing?.from;
  const t0 = performance.now() - (from?.elapsedMs ?? 0);
  checkOptions(o);
  const every = checkpointEvery('tune', o.checkpoint);
  if (!(BUILTIN_OBJECTIVES as readonly string[]).includes(o.objective) && !/^[A-Za-z0-9_-]{1,64}$/.test(o.objective)) {
    throw new FabricError('bad-input', `tune: objective "${o.objective}" is not a valid objective name`);
  }
  const algo = o.algo ?? 'tpe';
  const grid = algo === 'grid' ? gridPoints(o.space) : undefined;
  const maxEvals = grid ? Math.min(o.maxEvals, grid.length) : o.maxEvals;
  // A resumed run keeps its parallelism, whatever slots the page has now: suggestions depend on it.
  const parallelism = from?.parallelism ?? o.parallelism ?? Math.max(1, scheduler.slotCount);
  const seed = o.seed ?? 1;
  const rng = resumableRandom(from?.randomState ?? seed);
  const random = rng.next;
  const prepared = await tuneData(o, dataset, bytes, artifacts);
  const job = ++jobSeq;
  const trials: Trial[] = [];
  const records: TrialRecord[] = [];
  const stop = new AbortController();
  const onAbort = (): void => finish('stopped');
  o.signal?.addEventListener('abort', onAbort);
  // A resumed run's timeout counts the time already spent.
  const timer = o.timeoutMs !== undefined ? setTimeout(() => finish('timeout'), Math.max(0, o.timeoutMs - (from?.elapsedMs ?? 0))) : undefined;
  let running = 0;
  let finished = from?.finished.length ?? 0;
  let best = from?.best ?? Infinity;
  let sinceBest = from?.sinceBest ?? 0;
  let stopped: TuneStop | undefined;
  let resolveRun: (() => void) | undefined;
  const done = new Promise<void>((r) => (resolveRun = r));

  function finish(reason: TuneStop): void {
    stopped ??= reason;
    if (reason === 'timeout' || reason === 'stopped') stop.abort();
    if (running === 0) resolveRun?.();
  }

  function settle(trial: Trial, update: Partial<Trial>): void {
    const next = { ...trial, ...update };
    trials[trial.id] = next;
    const status = next.status === 'ok' ? 'ok' : 'fail';
    records[trial.id] = { point: trial.point, loss: next.loss ?? undefined, status };
    running--;
    if (next.status !== 'cancelled') finished++;
    if (next.status === 'ok' && next.loss! < best) {
      best = next.loss!;
      sinceBest = 0;
    } else if (next.status !== 'cancelled') sinceBest++;
    o.onTrial?.(next, trials);
    if (o.lossThreshold !== undefined && best <= o.lossThreshold) finish('loss-threshold');
    else if (o.earlyStop !== undefined && sinceBest >= o.earlyStop) finish('early-stop');
    else if (finished >= maxEvals) finish(grid && maxEvals < o.maxEvals ? 'grid-exhausted' : 'max-evals');
    launch();
    if (checkpointing && !stopped && finished % every === 0) checkpointing.save(state());
    if (running === 0 && stopped) resolveRun?.();
  }

  function state(): TuneState {
    return {
      finished: trials.filter((t) => t.status === 'ok' || t.status === 'fail'),
      pending: trials.filter((t) => t.status === 'running').map((t) => ({ id: t.id, point: t.point })),
      randomState: rng.state(), parallelism, best, sinceBest, elapsedMs: performance.now() - t0,
    };
  }

  function suggest(id: number): Point {
    if (grid) return grid[id]!;
    if (algo === 'random') return suggestRandom(o.space, random);
    return suggestTpe(o.space, records, random, { ...o.tpe, liar: o.liar ?? 'max' });
  }

  function launch(): void {
    while (!stopped && running < parallelism && finished + running < maxEvals) start(trials.length, suggest(trials.length));
  }

  /** Starts trial `id` at `point` (a new suggestion, or a pending trial of a checkpoint run again). */
  function start(id: number, point: Point, announce = true): void {
    const resolved = resolvePoint(o.space, point);
    const params = resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved) ? resolved as Record<string, unknown> : { value: resolved };
    const trial: Trial = { id, point, params, status: 'running', loss: null, message: '', metrics: {}, ms: 0, node: '', startedAt: Math.round(performance.now() - t0) };
    trials[id] = trial;
    records[id] = { point, loss: undefined, status: 'pending' };
    running++;
    if (announce) o.onTrial?.(trial, trials);
    const taskParams: TrialParams = { trial: id, objective: o.objective, params, ...(prepared ? { data: prepared.data } : {}), seed: (Math.imul(seed, 1_000_003) + id) | 0 };
    const started = performance.now();
    scheduler.run({
      tasks: [{ taskId: `tune-${job}-${id}`, kind: 'trial', params: taskParams, partitions: [], ...(prepared ? { artifacts: [prepared.artifact] } : {}) }],
      signal: stop.signal,
    }).then((outcomes) => {
      const outcome = outcomes.get(`tune-${job}-${id}`)!;
      const r = outcome.result as TrialResult;
      settle(trial, { status: r.status, loss: r.loss, message: r.message, metrics: r.metrics, ms: Math.round(performance.now() - started), node: outcome.nodeId });
    }, (e: unknown) => {
      const err = FabricError.from(e);
      settle(trial, err.code === 'cancelled'
        ? { status: 'cancelled', message: `cancelled: the run ${stopped === 'timeout' ? 'timed out' : 'was stopped'}`, ms: Math.round(performance.now() - started) }
        : { status: 'fail', message: `[${err.code}] ${err.message}`, ms: Math.round(performance.now() - started) });
    });
  }

  if (from) {
    // Finished trials as they were; the ones that were running start again with their ids and points.
    for (const t of from.finished) {
      trials[t.id] = t;
      records[t.id] = { point: t.point, loss: t.loss ?? undefined, status: t.status === 'ok' ? 'ok' : 'fail' };
    }
    for (const p of from.pending) start(p.id, p.point, false);
    // Announced once every pending trial is in place, so `trials` has no holes.
    for (const p of from.pending) o.onTrial?.(trials[p.id]!, trials);
  }
  launch();
  if (running === 0) finish('max-evals');
  await done;
  if (timer !== undefined) clearTimeout(timer);
  o.signal?.removeEventListener('abort', onAbort);
  if (prepared) artifacts.delete(prepared.artifact);
  const ok = trials.filter((t) => t.status === 'ok');
  const top = ok.reduce<Trial | undefined>((b, t) => (b === undefined || t.loss! < b.loss! ? t : b), undefined);
  const trialsByNode: Record<string, number> = {};
  for (const t of trials) if (t.node) trialsByNode[t.node] = (trialsByNode[t.node] ?? 0) + 1;
  return {
    best: top ? { params: top.params, point: top.point, loss: top.loss!, trial: top.id } : undefined,
    trials, stopped: stopped ?? 'max-evals', ms: Math.round(performance.now() - t0), trialsByNode,
  };
}
