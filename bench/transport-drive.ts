/**
 * Node side of driving two bench/transport.html pages: the raw RTCDataChannel signalled by this
 * process, and one timed, verified transfer. Shared by bench/transport.ts and bench/limits.ts
 * (whose raw-channel limit is the same channel with no Fabric framing).
 */
import { inPage, type BenchPage } from './harness.ts';
import type { Method } from './transport-page.ts';

/** Opens the plain RTCPeerConnection between the pages: offer and answer pass through this process. */
export async function connectRaw(sender: BenchPage, receiver: BenchPage, timeoutMs: number): Promise<void> {
  const offer = await inPage(sender, () => window.transportBench.rawOffer(), undefined);
  const answer = await inPage(receiver, (o) => window.transportBench.rawAnswer(o), offer);
  await inPage(sender, (a) => window.transportBench.rawAccept(a.answer, a.ms), { answer, ms: timeoutMs });
}

/** One timed transfer of `bytes` pattern bytes from `seed`, every byte checked. Returns its milliseconds. */
export async function transfer(sender: BenchPage, receiver: BenchPage, method: Method, seed: number, bytes: number, timeoutMs: number): Promise<number> {
  await inPage(receiver, (a) => window.transportBench.expect(a.method, a.seed, a.bytes), { method, seed, bytes });
  const ms = await inPage(sender, (a) => window.transportBench.send(a.method, a.seed, a.bytes, a.timeout),
    { method, seed, bytes, timeout: timeoutMs });
  const check = await inPage(receiver, () => window.transportBench.verify(), undefined);
  if (!check.ok) throw new Error(`${method} delivered wrong bytes: ${check.detail}`);
  return ms;
}
