/**
 * The guided demo's four steps, one per paradigm, each run on the joined devices through the
 * public API at sizes that finish in well under a minute with three volunteers on a 2-core
 * machine. Each step draws its picture and returns the numbers its result is compared by when it
 * is run again (after a fault demo, say).
 */
import { hp, logisticRegression, ols, type Fabric, type TrainedModel } from '../../index';
import { LineChart, renderBarList, renderTiles } from './demo-plots';

/** What a step may use and report to. */
export interface StepContext {
  readonly fabric: Fabric;
  /** Where the step draws its picture. */
  readonly figure: HTMLElement;
  /** Progress for the "now running" line; `fraction` from 0 to 1 when known. */
  readonly report: (text: string, fraction?: number) => void;
  /** What steps share: the model step 1 trains, which step 4 scores with. */
  readonly memory: { model?: TrainedModel };
}

/** A finished step: a sentence for the class, and the numbers its result is compared by. */
export interface StepOutcome {
  readonly summary: string;
  /** Null where a rerun is not expected to match (parallel TPE depends on which trial finishes first). */
  readonly values: ArrayLike<number> | null;
}

/** A step of the demo. */
export interface DemoStep {
  readonly id: 'train' | 'groups' | 'tune' | 'score';
  readonly title: string;
  /** The Spark feature it corresponds to. */
  readonly spark: string;
  /** Two or three plain sentences for the class. */
  readonly explain: string;
  readonly run: (ctx: StepContext) => Promise<StepOutcome>;
}

/** "Delayed more than 15 minutes", from distance, hour of day and origin airport. */
const DELAYED = { column: 'delay', threshold: 15 } as const;
const TRAIN_FEATURES = ['distance', 'hour(date)', 'onehot(origin)'];
/** Iterations of step 1: enough for the loss curve to flatten, few enough for about half a minute. */
const TRAIN_ITERATIONS = 12;

async function trainModel(ctx: StepContext, onPoint?: (x: number[], train: number[], held: (number | null)[]) => void): Promise<TrainedModel> {
  const x: number[] = [];
  const train: number[] = [];
  const held: (number | null)[] = [];
  const model = await ctx.fabric.train({
    target: DELAYED, features: TRAIN_FEATURES, model: logisticRegression({ l2: 1e-3 }), maxIter: TRAIN_ITERATIONS,
    onIteration: (it) => {
      x.push(it.iteration);
      train.push(it.trainLoss);
      held.push(Number.isFinite(it.holdoutLoss) ? it.holdoutLoss : null);
      onPoint?.(x, train, held);
      ctx.report(`iteration ${it.iteration} of at most ${it.maxIter}: loss ${it.trainLoss.toFixed(4)}, ${Object.keys(it.nodes).length} device(s) computed it`, it.iteration / it.maxIter);
    },
  });
  ctx.memory.model = model;
  return model;
}

const pct = (v: number | undefined): string => (v === undefined ? '—' : `${(v * 100).toFixed(1)}%`);

/** The four steps, in the talk's order. */
export const DEMO_STEPS: readonly DemoStep[] = [
  {
    id: 'train',
    title: '1. One model, all the data',
    spark: 'Spark MLlib',
    explain: 'Every device computes the gradient of one logistic regression over the rows it holds; the coordinator adds them up and takes an L-BFGS step. This is how Spark MLlib trains one model on data too big for one machine. The model predicts whether a flight is more than 15 minutes late.',
    run: async (ctx) => {
      const chart = new LineChart(ctx.figure, 'Loss per iteration', 'iteration', 'log loss', [{ label: 'training loss' }, { label: 'held-out loss', dash: [10, 5] }]);
      const model = await trainModel(ctx, (x, t, hd) => chart.setData(x, t, hd));
      return {
        summary: `${model.history.length - 1} iterations on ${model.metrics.rows.toLocaleString('en-US')} held-out rows: accuracy ${pct(model.metrics.accuracy)}, AUC ${model.metrics.auc?.toFixed(3) ?? '—'}.`,
        values: model.format === 'fabric-glm' ? model.params : null,
      };
    },
  },
  {
    id: 'groups',
    title: '2. One model per airport',
    spark: 'Spark groupBy().applyInPandas',
    explain: 'The rows are shuffled by origin airport, and each device fits a small model for each of its airports: how many more minutes of delay per hour later in the day. In Spark this is groupBy(key).applyInPandas(fit): many small models in parallel.',
    run: async (ctx) => {
      ctx.report('shuffling rows by origin airport');
      const res = await ctx.fabric.groupBy('origin').fit({ target: 'delay', features: ['hour(date)'], model: ols(), onProgress: (p) => ctx.report(`${p.groupsDone} of ${p.groups} airports fitted`, p.groups > 0 ? p.groupsDone / p.groups : undefined) });
      const slope = res.coefficientNames.indexOf('hour(date)');
      const busiest = res.rows.filter((r) => r.status === 'ok').sort((a, b) => b.rows - a.rows).slice(0, 12);
      renderBarList(ctx.figure, 'Minutes of delay per hour later in the day, 12 busiest airports', busiest.map((r) => ({ label: r.key, value: r.coefficients[slope] ?? NaN, note: `(${r.rows.toLocaleString('en-US')} flights)` })), (v) => `${v >= 0 ? '+' : ''}${v.toFixed(2)} min/h`);
      const ok = res.rows.filter((r) => r.status === 'ok').length;
      return {
        summary: `${res.rows.length} airports, ${ok} fitted, in ${res.tasks} tasks.`,
        values: Float64Array.from(res.rows.flatMap((r) => r.coefficients.map((c) => c ?? NaN))),
      };
    },
  },
  {
    id: 'tune',
    title: '3. Many trials at once',
    spark: 'hyperopt with SparkTrials',
    explain: 'A search picks values of the regularization strength to try; each device trains a model for one trial at a time, and every result makes the next guesses better (TPE). In Spark this is hyperopt\'s fmin with SparkTrials(parallelism=k).',
    run: async (ctx) => {
      const chart = new LineChart(ctx.figure, 'Best loss so far', 'trials finished', 'held-out log loss', [{ label: 'best so far' }, { label: 'this trial', points: true }]);
      const evals = 16;
      const res = await ctx.fabric.tune({
        space: { l2: hp.loguniform('l2', Math.log(1e-6), Math.log(10)), maxIter: 30 },
        objective: 'glm', algo: 'tpe', maxEvals: evals, seed: 3,
        data: { target: DELAYED, features: TRAIN_FEATURES, rows: 20_000 },
        onTrial: (_t, trials) => {
          const done = trials.filter((t) => t.status === 'ok' || t.status === 'fail').sort((a, b) => a.id - b.id);
          let best = Infinity;
          const bests = done.map((t) => (best = Math.min(best, t.loss ?? Infinity)));
          chart.setData(done.map((_, i) => i + 1), bests.map((b) => (Number.isFinite(b) ? b : null)), done.map((t) => t.loss));
          ctx.report(`${done.length} of ${evals} trials done, best loss ${Number.isFinite(best) ? best.toFixed(4) : '—'}`, done.length / evals);
        },
      });
      return {
        summary: `${res.trials.length} trials; best held-out loss ${res.best?.loss.toFixed(4) ?? '—'} at l2 = ${Number(res.best?.params['l2'] ?? NaN).toExponential(1)}.`,
        values: null,
      };
    },
  },
  {
    id: 'score',
    title: '4. Score every flight',
    spark: 'pandas iterator UDF',
    explain: 'The model from step 1 is sent once to each device, which loads it once and scores batch after batch of flights. Spark does this with a pandas iterator UDF. Then the same model scores a live stream, and we measure how long each batch waits.',
    run: async (ctx) => {
      const model = ctx.memory.model ?? (ctx.report('training the model of step 1 first'), await trainModel(ctx));
      const out = await ctx.fabric.score(model, { onProgress: (p) => ctx.report(`${p.rowsDone.toLocaleString('en-US')} of ${p.rows.toLocaleString('en-US')} rows scored`, p.rowsDone / p.rows) });
      ctx.report('streaming 40,000 rows at 20,000 rows/s');
      const stream = ctx.fabric.scoreStream(model, { rate: 20_000, batchRows: 2000, rows: 40_000 });
      for await (const batch of stream) ctx.report(`stream: batch ${batch.index + 1} of 20 scored in ${batch.latencyMs.toFixed(0)} ms`, (batch.index + 1) / 20);
      const s = stream.stats();
      renderTiles(ctx.figure, [
        { name: 'rows per second (batch)', value: Math.round(out.rowsPerSecond).toLocaleString('en-US'), testid: 'score-rate' },
        { name: 'stream latency p50', value: `${s.p50.toFixed(0)} ms`, testid: 'stream-p50' },
        { name: 'stream latency p99', value: `${s.p99.toFixed(0)} ms`, testid: 'stream-p99' },
      ]);
      return {
        summary: `${out.rows.toLocaleString('en-US')} rows scored in ${(out.ms / 1000).toFixed(1)} s on ${Object.keys(out.rowsByNode).length} device(s); the model was loaded ${out.loads} time(s).`,
        values: out.predictions,
      };
    },
  },
];
