/**
 * The classroom's short link: `https://<LAN address>:<port>/j` redirects to the room's full join
 * link, which students could not type (its token has 128 random bits). The coordinator page
 * registers the link; only a page on this machine may, so no one else on the network can point
 * the short link at another room. Whoever can reach the server can follow it, as whoever can see
 * the projector can scan the QR code: that is the point of a classroom, so it is on only while a
 * page has registered a link.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connect } from 'vite';

/** Where students go. */
export const SHORT_PATH = '/j';
/** Where the coordinator page registers the full link (POST, JSON `{ link }`). */
export const REGISTER_PATH = '/fabric/short-link';
/** A join link is a few hundred bytes; anything far longer is not one. */
const MAX_BODY = 4096;

/** True for a request from this machine (the teacher's laptop). */
export function isLocal(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** The link to redirect to, if `body` carries an http(s) join link; undefined otherwise. */
export function parseRegistration(body: string): string | undefined {
  try {
    const link = (JSON.parse(body) as { link?: unknown }).link;
    if (typeof link !== 'string') return undefined;
    const url = new URL(link);
    const hash = new URLSearchParams(url.hash.slice(1));
    if (!/^https?:$/.test(url.protocol) || !url.pathname.endsWith('/join.html') || !hash.get('room') || !hash.get('token')) return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}

/** Connect middleware serving both paths. */
export function shortLinkMiddleware(): Connect.NextHandleFunction {
  let target: string | undefined;
  return (req: IncomingMessage, res: ServerResponse, next) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === SHORT_PATH) {
      if (!target) return answer(res, 404, 'No classroom is open on this server yet. Scan the QR code on the projector, or ask the teacher to open the coordinator page.');
      res.statusCode = 302;
      res.setHeader('Location', target);
      res.setHeader('Cache-Control', 'no-store');
      res.end();
      return;
    }
    if (path !== REGISTER_PATH) return next();
    if (req.method !== 'POST') return answer(res, 405, `${REGISTER_PATH} takes POST {"link": "<join link>"}`);
    if (!isLocal(req.socket.remoteAddress)) return answer(res, 403, 'Only a coordinator page on this machine may set the short link.');
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', () => {
      const link = parseRegistration(body);
      if (!link) return answer(res, 400, 'Expected JSON {"link": "http(s)://host:port/join.html#room=…&token=…"}');
      target = link;
      answer(res, 200, `${SHORT_PATH} now leads to the room`);
    });
  };
}
