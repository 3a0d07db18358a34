/**
 * Collects the CSP violation reports browsers post to {@link CSP_REPORT_PATH}, so a test (or a
 * person) can see whether the policy blocked anything: `GET /fabric/csp-reports` lists them.
 * Bodies are capped and only the most recent reports are kept, so a page cannot fill the memory.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CSP_REPORT_PATH } from './csp.ts';

/** Where the collected reports are listed. */
export const CSP_REPORTS_PATH = '/fabric/csp-reports';
/** A report is a few hundred bytes; 64 KiB is plenty and refuses junk. */
const MAX_BODY_BYTES = 64 * 1024;
/** Reports kept; older ones are dropped (the count still grows). */
const KEEP = 200;

/** Connect middleware that takes reports and lists them. */
export function cspReportMiddleware(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const reports: unknown[] = [];
  let count = 0;
  return (req, res, next) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === CSP_REPORT_PATH && req.method === 'POST') {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.byteLength;
        if (size <= MAX_BODY_BYTES) chunks.push(c);
      });
      req.on('end', () => {
        count += 1;
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = { unparsed: Buffer.concat(chunks).toString('utf8').slice(0, 2048) };
        }
        reports.push(body);
        if (reports.length > KEEP) reports.shift();
        const r = (body as { 'csp-report'?: Record<string, unknown> })['csp-report'] ?? {};
        console.warn(`fabric: CSP violation: ${String(r['violated-directive'])} blocked ${String(r['blocked-uri'])} in ${String(r['document-uri'])} at ${String(r['source-file'])}:${String(r['line-number'])}:${String(r['column-number'])} ${String(r['script-sample'] ?? '')}`);
        res.statusCode = 204;
        res.end();
      });
      return;
    }
    if (path === CSP_REPORTS_PATH && req.method === 'GET') {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Cache-Control', 'no-store');
      res.end(JSON.stringify({ count, reports }));
      return;
    }
    next();
  };
}
