/**
 * The coordinator page. Built only on the public API; the API is also on `window.fabric` so a
 * page script (or a test) can call the same features.
 */
import * as fabricApi from '../../index';
import { Fabric, FabricError, type DatasetInfo, type DescribeReport } from '../../index';
import { h, replace, throttle } from '../dom';
import { renderDatasetPanel } from './dataset-panel';
import { renderDescribeReport, renderProgress } from './describe-panel';
import { mountGroupsPanel } from './groups-panel';
import { renderJoinPanel } from './join-panel';
import { appendLog } from './log-panel';
import { renderNodesTable } from './nodes-table';
import { mountScorePanel } from './score-panel';
import { mountSyntheticForm } from './synthetic-form';
import { mountTrainPanel } from './train-panel';
import { mountTunePanel } from './tune-panel';
import { verificationParam } from './verify-param';
import { mountProjector, wantsProjector } from '../classroom/projector';

declare global {
  interface Window {
    fabric?: Fabric;
    fabricApi?: typeof fabricApi;
    fabricReady?: Promise<Fabric>;
    lastDescribe?: DescribeReport;
  }
}

interface ServerConfig {
  publicOrigin: string | null;
  peerPath: string;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

/** Live panels redraw at most this often: 4 Hz reads as live and costs little. */
const REDRAW_MS = 250;


function showError(e: unknown): void {
  const err = FabricError.from(e);
  replace($('error'), h('strong', {}, `${err.code}: `), err.message, ' ', h('button', { type: 'button', class: 'link', onclick: () => replace($('error')) }, 'Dismiss'));
}

async function serverConfig(): Promise<ServerConfig> {
  try {
    const res = await fetch('/fabric/config.json');
    if (res.ok) return (await res.json()) as ServerConfig;
  } catch {
    // A static host without the Fabric server: fall through to defaults.
  }
  return { publicOrigin: null, peerPath: '/peerjs' };
}

async function main(): Promise<Fabric> {
  const params = new URLSearchParams(location.search);
  const config = await serverConfig();
  replace($('env'),
    h('span', { class: `chip ${crossOriginIsolated ? 'ok' : 'warn'}` }, crossOriginIsolated ? 'cross-origin isolated' : 'not isolated: wasm threads off'),
    h('span', { class: `chip ${'gpu' in navigator ? 'ok' : 'warn'}` }, 'gpu' in navigator ? 'WebGPU API present' : 'no WebGPU API'),
    config.publicOrigin ? h('span', { class: 'chip ok' }, `LAN mode: ${config.publicOrigin}`) : null,
  );
  const slotsParam = params.get('slots');
  const verification = verificationParam(params.get('verify'));
  const fabric = await Fabric.start({
    ...(slotsParam !== null ? { localSlots: Number(slotsParam) } : {}),
    ...(verification ? { scheduler: { verification } } : {}),
    ...(config.publicOrigin ? { publicOrigin: config.publicOrigin } : {}),
    server: {
      host: location.hostname,
      port: Number(location.port) || (location.protocol === 'https:' ? 443 : 80),
      secure: location.protocol === 'https:',
      path: config.peerPath,
    },
  });
  window.fabric = fabric;
  // The whole public API beside the instance, for page scripts and tests (model builders, hp, exports).
  window.fabricApi = fabricApi;
  // Classroom mode: the projector view over the dashboard (?view=projector, or LAN mode's default).
  if (wantsProjector(params, config.publicOrigin !== null)) mountProjector(fabric, showError);

  for (const e of fabric.logs()) appendLog($('log'), e);
  fabric.on('log', (e) => appendLog($('log'), e));
  renderJoinPanel($('join'), fabric.join, config.publicOrigin !== null);
  // Hundreds of task events arrive per second during training; redrawing on each took a core of
  // the GPU process (software compositing) from the slots (bench/results/train.md).
  const removeNode = (id: string): void => {
    try {
      fabric.kick(id);
    } catch (e) {
      showError(e);
    }
  };
  const drawNodes = throttle(() => renderNodesTable($('nodes'), fabric.nodes(), removeNode), REDRAW_MS);
  fabric.on('nodes', drawNodes);
  setInterval(drawNodes, 1000); // byte counters move without events
  drawNodes();

  const slotsInput = $<HTMLInputElement>('slots-input');
  slotsInput.value = String(fabric.nodes().find((n) => n.kind === 'local')?.slots ?? 0);
  $('slots-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void fabric.setLocalSlots(Number(slotsInput.value)).catch(showError);
  });

  const ranOn = new Map<number, string>();
  const drawDataset = (d: DatasetInfo): void => renderDatasetPanel($('dataset'), d, ranOn);
  fabric.on('dataset', (d) => {
    ranOn.clear();
    drawDataset(d);
    replace($('describe-result'));
    $<HTMLButtonElement>('describe-button').disabled = false;
  });

  const trainPanel = mountTrainPanel($('train'), fabric, showError);
  mountGroupsPanel($('groups'), fabric, showError);
  const tunePanel = mountTunePanel($('tune'), fabric, showError);
  mountScorePanel($('score'), fabric, showError);
  mountSyntheticForm($('synthetic'), fabric, showError);

  const describeButton = $<HTMLButtonElement>('describe-button');
  describeButton.addEventListener('click', () => {
    describeButton.disabled = true;
    replace($('error'));
    const d = fabric.dataset;
    ranOn.clear();
    if (d) drawDataset(d);
    void fabric.describe({ onProgress: (p) => renderProgress($('describe-progress'), p) }).then((report) => {
      window.lastDescribe = report;
      renderDescribeReport($('describe-result'), report);
      $('describe-result').setAttribute('data-state', 'done');
    }).catch(showError).finally(() => {
      describeButton.disabled = false;
    });
  });
  // Colour each partition by the node whose result for it was committed.
  const drawPartitions = throttle(() => {
    const d = fabric.dataset;
    if (d) drawDataset(d);
  }, REDRAW_MS);
  fabric.on('task', (t) => {
    for (const index of t.partitions) ranOn.set(index, t.nodeId);
    drawPartitions();
  });

  const fileInput = $<HTMLInputElement>('file-input');
  const loadFile = (file: File): void => {
    replace($('error'));
    replace($('dataset'), h('h2', {}, 'Dataset'), h('p', { class: 'muted' }, `Loading ${file.name}…`));
    void fabric.load(file).catch((e: unknown) => {
      showError(e);
      const d = fabric.dataset;
      if (d) drawDataset(d);
      else replace($('dataset'), h('h2', {}, 'Dataset'), h('p', { class: 'muted' }, 'No dataset loaded.'));
    });
  };
  fileInput.addEventListener('change', () => fileInput.files?.[0] && loadFile(fileInput.files[0]));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) loadFile(file);
  });
  $('builtin-button').addEventListener('click', () => {
    replace($('error'));
    void fabric.load('flights-3m').catch(showError);
  });

  if (params.get('dataset') !== 'none') {
    replace($('dataset'), h('h2', {}, 'Dataset'), h('p', { class: 'muted' }, 'Loading flights-3m.parquet (3,000,000 rows)…'));
    await fabric.load('flights-3m').catch(showError);
  }
  // Jobs the last visit left unfinished, offered once the dataset is in (a resume then reloads nothing).
  await Promise.all([trainPanel.offerResume(), tunePanel.offerResume()]);
  return fabric;
}

window.fabricReady = main();
window.fabricReady.catch(showError);
