/** The join panel: link, QR code and room token, so volunteers can join from a phone or laptop. */
import QRCode from 'qrcode';
import type { JoinInfo } from '../../index';
import { h, replace } from '../dom';

/** Renders the panel for a room (or says why there is none). */
export function renderJoinPanel(root: HTMLElement, join: JoinInfo | undefined, lan: boolean): void {
  if (!join) {
    replace(root, h('h2', {}, 'Join'), h('p', { class: 'muted' }, 'No room is open: volunteers cannot join this coordinator.'));
    return;
  }
  const canvas = h('canvas', { 'data-testid': 'join-qr', 'aria-label': 'QR code of the join link', role: 'img' });
  void QRCode.toCanvas(canvas, join.link, { width: 196, margin: 1, errorCorrectionLevel: 'M' });
  const linkInput = h('input', { type: 'text', readonly: true, value: join.link, 'data-testid': 'join-link', 'aria-label': 'Join link' });
  const copy = h('button', {
    type: 'button',
    onclick: () => {
      void navigator.clipboard?.writeText(join.link).then(() => {
        copy.textContent = 'Copied';
        setTimeout(() => (copy.textContent = 'Copy link'), 1500);
      });
    },
  }, 'Copy link');
  const local = /\/\/(localhost|127\.)/.test(join.link);
  replace(root,
    h('h2', {}, 'Join this fabric'),
    h('div', { class: 'join' },
      canvas,
      h('div', { class: 'join-text' },
        h('p', {}, 'Scan the code or open the link in another tab, browser or machine. Each volunteer runs tasks in its own Web Workers.'),
        h('div', { class: 'row' }, linkInput, copy),
        h('p', { class: 'small' }, 'Room token: ', h('code', { 'data-testid': 'room-token' }, join.token)),
        h('p', { class: 'small muted' }, 'Or from a terminal: ', h('code', {}, `npm run volunteer -- --join '${join.link}' --tabs 2`)),
        local && !lan ? h('p', { class: 'small warn' }, 'This link works on this machine only. For other machines on the LAN, restart with ', h('code', {}, 'npm start -- --lan'), '.') : null,
      ),
    ),
  );
}
