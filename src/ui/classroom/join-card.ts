/** The projector's join card: a QR code big enough to scan from the back of a room, and the link. */
import QRCode from 'qrcode';
import type { JoinInfo } from '../../index';
import { h, replace } from '../dom';

/**
 * Side of the QR code, px. 320 px on a 1920-wide projector is about a sixth of the screen: phones
 * read it from across a classroom. The canvas shrinks with the column on a phone (CSS).
 */
const QR_PX = 320;

/** Renders the card, or says why no one can join. */
export function renderJoinCard(root: HTMLElement, join: JoinInfo | undefined): void {
  if (!join) {
    replace(root, h('h2', {}, 'Join'), h('p', {}, 'No room is open: devices cannot join this coordinator.'));
    return;
  }
  const canvas = h('canvas', { class: 'join-qr', 'data-testid': 'projector-qr', role: 'img', 'aria-label': `QR code of the join link ${join.link.split('#')[0]}` });
  void QRCode.toCanvas(canvas, join.link, { width: QR_PX, margin: 2, errorCorrectionLevel: 'M' });
  const url = new URL(join.link);
  replace(root,
    h('h2', {}, 'Scan to join'),
    canvas,
    h('p', { class: 'join-host' }, 'or open ', h('strong', { 'data-testid': 'projector-host' }, `${url.host}`)),
    h('details', { class: 'join-full' },
      h('summary', {}, 'Full join link'),
      h('input', { type: 'text', readonly: true, value: join.link, 'data-testid': 'projector-link', 'aria-label': 'Full join link' }),
    ),
    url.protocol === 'https:' ? h('p', { class: 'small' }, 'The page uses a self-signed certificate: accept the warning once.') : null,
  );
}
