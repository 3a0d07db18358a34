/** The projector's join card: a QR code big enough to scan from the back of a room, and the link. */
import QRCode from 'qrcode';
import type { JoinInfo } from '../../index';
import { h, replace } from '../dom';

/**
 * Side of the QR code, px. 320 px on a 1920-wide projector is about a sixth of the screen: phones
 * read it from across a classroom. The canvas shrinks with the column on a phone (CSS).
 */
const QR_PX = 320;

/**
 * Asks the server to send `<origin>/j` to the full link (server/short-link.ts); resolves with the
 * short link, or undefined where the server has none (a static host) or refuses (not this machine).
 */
async function registerShortLink(link: string): Promise<string | undefined> {
  try {
    const res = await fetch('/fabric/short-link', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ link }) });
    return res.ok ? `${new URL(link).origin}/j` : undefined;
  } catch {
    return undefined;
  }
}

/** Renders the card, or says why no one can join. */
export function renderJoinCard(root: HTMLElement, join: JoinInfo | undefined): void {
  if (!join) {
    replace(root, h('h2', {}, 'Join'), h('p', {}, 'No room is open: devices cannot join this coordinator.'));
    return;
  }
  const canvas = h('canvas', { class: 'join-qr', 'data-testid': 'projector-qr', role: 'img', 'aria-label': `QR code of the join link ${join.link.split('#')[0]}` });
  void QRCode.toCanvas(canvas, join.link, { width: QR_PX, margin: 2, errorCorrectionLevel: 'M' });
  const url = new URL(join.link);
  const short = h('p', { class: 'join-host', 'data-testid': 'projector-short' }, 'Server: ', h('strong', { 'data-testid': 'projector-host' }, url.host));
  void registerShortLink(join.link).then((s) => {
    if (s) replace(short, 'or open ', h('strong', { 'data-testid': 'projector-short-link' }, s));
  });
  replace(root,
    h('h2', {}, 'Scan to join'),
    canvas,
    short,
    h('details', { class: 'join-full' },
      h('summary', {}, 'Full join link'),
      h('input', { type: 'text', readonly: true, value: join.link, 'data-testid': 'projector-link', 'aria-label': 'Full join link' }),
    ),
    url.protocol === 'https:' ? h('p', { class: 'small' }, 'The page uses a self-signed certificate: accept the warning once.') : null,
  );
}
