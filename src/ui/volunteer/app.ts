/**
 * The volunteer page. The join link carries the room and token in its fragment:
 * `/join.html#room=<id>&token=<token>[&name=<nickname>][&slots=N][&slow=F][&backend=webgpu|wasm|cpu][&lie=scale|nan|reverse]`.
 * `backend` makes the slots use that tfjs backend (and for webgpu, the WGSL kernels) whatever the
 * probe measures, for tests and demos of WebGPU where it is slower (SwiftShader). `lie` makes a
 * dishonest volunteer, for demos of verification mode.
 */
import { FabricError, Volunteer, type VolunteerStatus } from '../../index';
import { h, replace, throttle } from '../dom';
import { formatBytes, formatInt } from '../format';
import { lieMode } from '../../worker/liar';
import { ordinal, standingText } from './standing';

declare global {
  interface Window {
    volunteer?: Volunteer;
    volunteerStatus?: VolunteerStatus;
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;

const STATE_TEXT: Record<VolunteerStatus['state'], string> = {
  starting: 'Starting',
  probing: 'Measuring this device',
  connecting: 'Connecting',
  joined: 'Computing for the fabric',
  rejected: 'Refused',
  removed: 'Removed',
  disconnected: 'Disconnected',
};

/**
 * Redraws at most 4 times a second, and at once when the state changes: status updates come twice
 * per task, and rebuilding the panel on each took 4 ms of this tab's main thread per trial in
 * bench:tune, time the relay of results to the coordinator then waited for.
 */
const REDRAW_MS = 250;
let latest: VolunteerStatus | undefined;
let drawnState: VolunteerStatus['state'] | undefined;
const drawLatest = throttle(() => latest && draw(latest), REDRAW_MS);

function render(s: VolunteerStatus): void {
  window.volunteerStatus = { ...s };
  latest = { ...s, slots: [...s.slots] };
  if (s.state !== drawnState) draw(latest);
  else drawLatest();
}

function draw(s: VolunteerStatus): void {
  drawnState = s.state;
  replace($('status'),
    h('h2', {}, h('span', { class: `badge ${s.state}`, 'data-testid': 'volunteer-state', 'data-state': s.state }, STATE_TEXT[s.state]), s.nodeId ? h('span', { class: 'muted small' }, ` as ${s.nodeId}`) : null),
    h('p', { 'data-testid': 'volunteer-detail' }, s.detail),
    h('p', { class: 'standing', 'data-testid': 'volunteer-standing', 'data-rank': s.standing?.rank ?? '' }, standingText(s.standing)),
    h('dl', { class: 'stats' },
      h('dt', {}, 'Tasks done'), h('dd', { 'data-testid': 'tasks-done' }, formatInt(s.tasksDone)),
      h('dt', {}, 'Share of the work'), h('dd', { 'data-testid': 'volunteer-share' }, s.standing ? `${(s.standing.share * 100).toFixed(1)}%` : '—'),
      h('dt', {}, 'Rank'), h('dd', { 'data-testid': 'volunteer-rank' }, s.standing ? `${ordinal(s.standing.rank)} of ${s.standing.of}` : '—'),
      h('dt', {}, 'Speed'), h('dd', { 'data-testid': 'volunteer-speed' }, s.slowdown > 1 ? `slowed ${s.slowdown}×` : 'normal'),
      h('dt', {}, 'Running now'), h('dd', {}, formatInt(s.tasksRunning)),
      h('dt', {}, 'Partitions cached'), h('dd', {}, formatInt(s.partitionsCached)),
      h('dt', {}, 'Received'), h('dd', {}, formatBytes(s.bytesIn)),
      h('dt', {}, 'Sent'), h('dd', {}, formatBytes(s.bytesOut)),
    ),
    s.slots.length ? h('table', { class: 'grid compact' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Slot'), h('th', { scope: 'col' }, 'Backend'), h('th', { scope: 'col' }, 'Measured'), h('th', { scope: 'col' }, 'Other backends'), h('th', { scope: 'col' }, 'Model kernel'))),
      h('tbody', {}, ...s.slots.map((r, i) => h('tr', {},
        h('td', {}, i + 1), h('td', { title: r.deviceLost?.detail ?? '' }, r.deviceLost && r.deviceLost.backend !== r.chosen ? `${r.deviceLost.backend} → ${r.chosen} (device lost)` : r.chosen), h('td', { class: 'num' }, `${r.gflops} GFLOP/s`),
        h('td', { class: 'small' }, r.measurements.filter((m) => m.backend !== r.chosen).map((m) => (m.ok ? `${m.backend} ${m.gflops} GFLOP/s` : `${m.backend}: unavailable`)).join('; ')),
        h('td', { class: 'small', title: r.kernel?.reason ?? '' }, r.kernel ? `${r.kernel.chosen} (cpu ${r.kernel.cpuMs.toFixed(1)} ms${r.kernel.gpuMs !== undefined ? `, webgpu ${r.kernel.gpuMs.toFixed(1)} ms` : ''})` : '—'),
      ))),
    ) : null,
  );
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.hash.slice(1));
  const room = params.get('room');
  const token = params.get('token');
  if (!room || !token) {
    throw new FabricError('bad-input', 'This join link is incomplete: it needs #room=…&token=… . Scan the QR code or copy the link from the coordinator page again.');
  }
  const slow = Number(params.get('slow') ?? '1');
  const slots = params.get('slots');
  const backend = params.get('backend');
  if (backend !== null && backend !== 'webgpu' && backend !== 'wasm' && backend !== 'cpu') {
    throw new FabricError('bad-input', `This join link asks for backend "${backend}"; use webgpu, wasm or cpu, or leave it out to use the fastest.`);
  }
  $<HTMLSelectElement>('slow').value = String(slow);
  // The nickname can be changed at any time: before the welcome it is kept, then sent.
  const nameInput = $<HTMLInputElement>('nickname');
  nameInput.value = params.get('name') ?? '';
  let joined: Volunteer | undefined;
  $('nickname-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    joined?.setName(nameInput.value);
    $('nickname-saved').textContent = nameInput.value.trim() ? `Saved: the class sees you as "${nameInput.value.trim()}".` : 'No nickname: the class sees a number.';
  });
  const volunteer = await Volunteer.join({
    room,
    token,
    name: nameInput.value,
    ...(slots ? { slots: Number(slots) } : {}),
    ...(backend ? { backend } : {}),
    slowdown: slow,
    lie: lieMode(params.get('lie')),
  }, render);
  window.volunteer = volunteer;
  joined = volunteer;
  if (nameInput.value.trim() !== volunteer.status.name) volunteer.setName(nameInput.value);
  volunteer.onStatus((st) => {
    if ($<HTMLSelectElement>('slow').value !== String(st.slowdown)) $<HTMLSelectElement>('slow').value = String(st.slowdown);
  });
  $<HTMLSelectElement>('slow').addEventListener('change', (e) => void volunteer.setSlowdown(Number((e.target as HTMLSelectElement).value)));
  $('leave').addEventListener('click', () => volunteer.leave('the volunteer pressed Leave'));
  window.addEventListener('pagehide', () => volunteer.leave('the volunteer tab closed'));
}

main().catch((e: unknown) => {
  const err = FabricError.from(e);
  replace($('error'), h('strong', {}, `${err.code}: `), err.message);
});
