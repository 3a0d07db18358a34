/**
 * Classroom mode's projector view (`?view=projector`, and the default when the server runs with
 * `--lan`): a QR code to join, a live grid of devices with fault-demo buttons, what is running,
 * what the scheduler did, the sample check and the guided demo. Large type, high contrast, one
 * column on a phone. The full dashboard stays one button away.
 */
import type { Fabric } from '../../index';
import { h, throttle } from '../dom';
import { formatInt } from '../format';
import { mountDemoPanel, JobLock } from './demo-panel';
import { DeviceGrid } from './device-grid';
import { mountEventStrip } from './event-strip';
import { renderJoinCard } from './join-card';
import { JobStatus } from './job-status';
import { mountSampleCheck } from './sample-check';
import './projector.css';

/** Which view the coordinator page opens with: `?view=projector|dashboard`, else projector in LAN mode. */
export function wantsProjector(params: URLSearchParams, lan: boolean): boolean {
  const view = params.get('view');
  return view === 'projector' || (view !== 'dashboard' && lan);
}

/** Redraws of the device grid at most this often: live to the eye, cheap for the slots (as the nodes table). */
const REDRAW_MS = 250;

/** A job's first log line, its last, or its failure (src/coordinator/fabric.ts writes them). */
const JOB = '(describe|train|groupBy\\(\\)\\.fit|groupBy\\(\\)\\.apply|tune|score|scoreStream)';
const JOB_START = new RegExp(`^${JOB}: (.*)$`);
const JOB_DONE = new RegExp(`^${JOB} done (in .*)$`);
const JOB_FAILED = new RegExp(`^${JOB} failed: (.*)$`);

/**
 * Jobs started elsewhere (the dashboard, the console, a script) show on the "now running" line
 * too, from the log; the demo's own jobs report there themselves, with their progress.
 */
function followLoggedJobs(fabric: Fabric, jobs: JobStatus, lock: JobLock): void {
  fabric.on('log', (e) => {
    if (lock.running) return;
    const done = JOB_DONE.exec(e.text);
    const failed = done ? null : JOB_FAILED.exec(e.text);
    const start = done || failed ? null : JOB_START.exec(e.text);
    if (start) {
      jobs.begin(start[1]!);
      jobs.progress(start[2]!);
    } else if (done) jobs.end(`${done[1]} ${done[2]}`, true);
    else if (failed) jobs.end(failed[2]!, false);
  });
}

/** Builds the view above the dashboard, which it hides until asked. */
export function mountProjector(fabric: Fabric, showError: (e: unknown) => void): void {
  document.body.classList.add('projector');
  const dataset = h('p', { class: 'cls-dataset', 'data-testid': 'projector-dataset' }, 'Loading flights-3m…');
  const toggle = h('button', { type: 'button', 'aria-pressed': 'false', 'data-testid': 'dashboard-toggle' }, 'Show the full dashboard');
  toggle.addEventListener('click', () => {
    const on = document.body.classList.toggle('projector');
    toggle.textContent = on ? 'Show the full dashboard' : 'Back to the projector view';
    toggle.setAttribute('aria-pressed', String(!on));
  });
  const join = h('section', { class: 'panel cls-join', 'data-testid': 'projector-join' });
  const job = h('section', { class: 'panel cls-job', 'data-testid': 'job-status' });
  const events = h('section', { class: 'panel cls-events' });
  const devices = h('section', { class: 'panel cls-devices', 'data-testid': 'projector-devices' });
  const sample = h('section', { class: 'panel cls-sample', 'data-testid': 'sample-check' });
  const demo = h('section', { class: 'panel cls-demo', 'data-testid': 'guided-demo' });
  const root = h('div', { class: 'classroom', id: 'classroom', 'data-testid': 'projector' },
    h('header', { class: 'cls-top' },
      h('div', {}, h('h1', {}, 'Fabric in this room'), h('p', { class: 'cls-tagline' }, 'Every device that joins computes part of each job. Scan the code to join.'), dataset),
      toggle,
    ),
    h('div', { class: 'cls-grid' },
      h('div', { class: 'cls-side' }, join, job, events),
      h('main', { class: 'cls-main' }, devices, sample, demo),
    ),
  );
  document.body.prepend(root);

  renderJoinCard(join, fabric.join);
  const jobs = new JobStatus(job);
  const lock = new JobLock();
  mountEventStrip(events, fabric);
  const grid = new DeviceGrid(devices, {
    slow: (node, factor) => void fabric.setNodeSlowdown(node.id, factor).then(() => {
      grid.markSlowed(node.id, factor);
      draw();
    }).catch(showError),
    remove: (node) => {
      try {
        fabric.kick(node.id, 'the teacher removed this device (a fault demo)');
      } catch (e) {
        showError(e);
      }
    },
  });
  const draw = throttle(() => grid.update(fabric.nodes()), REDRAW_MS);
  fabric.on('nodes', draw);
  setInterval(draw, 1000);
  draw();
  const showDataset = (): void => {
    const d = fabric.dataset;
    dataset.textContent = d ? `Data: ${d.name}, ${formatInt(d.numRows)} rows in ${d.partitions.length} partitions` : 'Loading flights-3m…';
  };
  fabric.on('dataset', showDataset);
  showDataset();
  followLoggedJobs(fabric, jobs, lock);
  mountSampleCheck(sample, fabric, jobs, lock, showError);
  mountDemoPanel(demo, fabric, jobs, lock, showError);
}
