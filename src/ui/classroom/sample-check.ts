/**
 * "Check on a sample first" (the talk's advice when moving from a single-node library to a
 * distributed one): the same training job on a 1% sample of flights-3m, once on one slot of this
 * machine only (a second, local-only Fabric with no room) and once on every device, side by side
 * with the largest difference and a plain verdict. The full dataset is loaded again afterwards.
 */
import { Fabric, FabricError, logisticRegression, type TrainedModel, type TrainOptions } from '../../index';
import { h, replace } from '../dom';
import { compareRuns, verdictText } from './compare';
import type { JobLock } from './demo-panel';
import type { JobStatus } from './job-status';

/** 1% of flights-3m: 30,000 rows. */
const SAMPLE = 0.01;
/** 2,500 rows per partition: 12 partitions of the sample, so every device gets some. */
const SAMPLE_PARTITION_ROWS = 2500;
const JOB: TrainOptions = {
  target: { column: 'delay', threshold: 15 }, features: ['distance', 'hour(date)', 'dayofweek(date)'],
  model: logisticRegression({ l2: 1e-3 }), maxIter: 20,
};
/** Coefficients shown side by side; all of them are compared. */
const SHOWN = 6;

function params(m: TrainedModel): { names: readonly string[]; values: Float64Array } {
  if (m.format !== 'fabric-glm') throw new FabricError('internal', 'sample check: expected a GLM');
  return { names: m.names, values: m.params };
}

/** Mounts the button and the result area. */
export function mountSampleCheck(root: HTMLElement, fabric: Fabric, jobs: JobStatus, lock: JobLock, showError: (e: unknown) => void): void {
  const button = h('button', { type: 'button', class: 'primary big', 'data-testid': 'sample-check-run' }, 'Check on a 1% sample');
  const out = h('div', { 'data-testid': 'sample-check-result', 'aria-live': 'polite' });
  replace(root,
    h('h2', {}, 'Check on a sample first'),
    h('p', { class: 'explain' }, 'Before a long distributed run, run the same job on a small sample twice: on one machine, the way a single-node library would, and on every device. If the two agree, the distributed version is doing the same computation, and the full run can start.'),
    h('div', { class: 'row' }, button),
    out,
  );
  lock.onChange((busy) => (button.disabled = busy));
  button.addEventListener('click', () => {
    root.setAttribute('data-state', 'running');
    replace(out, 'Running…');
    jobs.begin('Check on a 1% sample');
    void lock.run(() => runCheck(fabric, jobs)).then(({ single, distributed }) => {
      const a = params(single);
      const b = params(distributed);
      const c = compareRuns(a.values, b.values);
      const rows = a.names.slice(0, SHOWN).map((name, i) => h('tr', {},
        h('th', { scope: 'row' }, name),
        h('td', { class: 'num' }, a.values[i]!.toPrecision(8)),
        h('td', { class: 'num' }, b.values[i]!.toPrecision(8)),
        h('td', { class: 'num' }, Math.abs(a.values[i]! - b.values[i]!).toExponential(1)),
      ));
      replace(out,
        h('p', { class: 'verdict', 'data-testid': 'sample-verdict', 'data-agree': String(c.agree) }, h('strong', {}, c.agree ? '✓ Single-node and distributed ' : '✕ Single-node and distributed '), verdictText(c)),
        h('table', { class: 'grid compare' },
          h('thead', {}, h('tr', {}, ...['Coefficient', 'single-node (1 slot)', `distributed (${Object.keys(distributed.history.at(-1)?.nodes ?? {}).length} devices)`, 'difference'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, ...rows),
        ),
        a.names.length > SHOWN ? h('p', { class: 'small' }, `${SHOWN} of ${a.names.length} coefficients shown; all are compared.`) : null,
      );
      jobs.end(`sample check: ${verdictText(c)}`, true);
      root.setAttribute('data-state', 'done');
    }, (e: unknown) => {
      const err = FabricError.from(e);
      replace(out, `✕ ${err.message}`);
      jobs.end(err.message, false);
      root.setAttribute('data-state', 'failed');
      showError(err);
    });
  });
}

async function runCheck(fabric: Fabric, jobs: JobStatus): Promise<{ single: TrainedModel; distributed: TrainedModel }> {
  const load = { sample: SAMPLE, partitionRows: SAMPLE_PARTITION_ROWS, name: 'flights-3m (1% sample)' };
  jobs.progress('single-node: one slot on this machine loads the sample and trains', 0.1);
  const solo = await Fabric.start({ localSlots: 1, room: false });
  let single: TrainedModel;
  try {
    await solo.load('flights-3m', load);
    single = await solo.train({ ...JOB, onIteration: (it) => jobs.progress(`single-node: iteration ${it.iteration}`, 0.1 + 0.3 * (it.iteration / it.maxIter)) });
  } finally {
    solo.stop();
  }
  try {
    jobs.progress('distributed: every device gets part of the same sample', 0.45);
    await fabric.load('flights-3m', load);
    const distributed = await fabric.train({ ...JOB, onIteration: (it) => jobs.progress(`distributed: iteration ${it.iteration} on ${Object.keys(it.nodes).length} device(s)`, 0.45 + 0.4 * (it.iteration / it.maxIter)) });
    return { single, distributed };
  } finally {
    jobs.progress('loading the full dataset again for the demo', 0.9);
    await fabric.load('flights-3m');
  }
}
