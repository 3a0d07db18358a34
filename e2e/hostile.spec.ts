/**
 * Links that must be refused while a job runs: a volunteer with a wrong room token, and a raw peer
 * that sends a malformed frame, an oversize message and a message that fails its schema. Each is
 * closed with a logged reason; the honest volunteer and the job go on to the reference result.
 * The attacker builds its frames by hand, sharing no code with Fabric.
 */
import { fileURLToPath } from 'node:url';
import { expect, test, VolunteerPage } from './pages';
import { expectMatchesReference } from './reference';

const PEERJS = fileURLToPath(new URL('../node_modules/peerjs/dist/peerjs.min.js', import.meta.url));

test('a wrong token, a malformed frame, an oversize message and a bad schema are refused while the job completes', async ({ coordinator, browser, errors }) => {
  await coordinator.open();
  const link = await coordinator.joinLink();
  const honest = await VolunteerPage.open(browser, `${link}&name=honest`, errors, 'honest');
  await honest.waitJoined();

  // A volunteer with a wrong token is told why and never joins.
  const forged = link.replace(/token=[^&]+/, 'token=AAAAAAAAAAAAAAAAAAAAAAAA');
  const intruder = await VolunteerPage.open(browser, `${forged}&name=intruder`, errors, 'intruder');
  await expect(intruder.state()).toHaveAttribute('data-state', 'rejected', { timeout: 60_000 });
  await expect(intruder.page.getByTestId('volunteer-detail')).toContainText('wrong room token');
  await coordinator.waitForLog(/\[bad-token\]/);

  // Start the job, then attack while it runs.
  await coordinator.page.getByTestId('describe-button').click();
  // The attacker is not bound by our CSP: it injects PeerJS as an inline script.
  const rogueContext = await browser.newContext({ bypassCSP: true });
  const rogue = await rogueContext.newPage();
  await rogue.goto('/join.html'); // any page of the origin: the attacker only needs the PeerServer
  await rogue.addScriptTag({ path: PEERJS });
  const room = new URLSearchParams(new URL(link).hash.slice(1)).get('room')!;
  await rogue.evaluate(async (room) => {
    const w = window as unknown as { Peer: new (o: object) => { on(e: string, f: () => void): void; connect(id: string, o: object): { on(e: string, f: () => void): void; send(b: Uint8Array): void } } };
    const peer = new w.Peer({ host: location.hostname, port: Number(location.port), path: '/peerjs', debug: 0, config: { iceServers: [] } });
    await new Promise<void>((resolve) => peer.on('open', resolve));
    const frame = (count: number, total: number, body: Uint8Array): Uint8Array => {
      const b = new Uint8Array(20 + body.length);
      const v = new DataView(b.buffer);
      v.setUint8(0, 0xfb);
      v.setUint8(1, 1);
      v.setUint32(4, 1, true);
      v.setUint32(8, 0, true);
      v.setUint32(12, count, true);
      v.setUint32(16, total, true);
      b.set(body, 20);
      return b;
    };
    const message = (header: unknown): Uint8Array => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const b = new Uint8Array(8 + json.length);
      new DataView(b.buffer).setUint32(0, json.length, true);
      b.set(json, 4);
      return b;
    };
    const attacks: Uint8Array[] = [
      new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n'), // not a frame at all
      frame(5000, 1 << 30, new Uint8Array(16)), // claims a 1 GiB message
      (() => { const m = message({ type: 'hello', token: 42, slots: 'many' }); return frame(1, m.length, m); })(), // fails the schema
    ];
    for (const bytes of attacks) {
      const conn = peer.connect(room, { serialization: 'raw', reliable: true });
      await new Promise<void>((resolve) => conn.on('open', resolve));
      conn.send(bytes);
    }
  }, room);
  await coordinator.waitForLog(/before it joined: \[bad-frame\]/);
  await coordinator.waitForLog(/before it joined: \[message-too-large\]/);
  await coordinator.waitForLog(/before it joined: \[schema-mismatch\]/);

  await expect(coordinator.page.getByTestId('describe-result')).toHaveAttribute('data-state', 'done', { timeout: 150_000 });
  expectMatchesReference(await coordinator.readDescribeTable());
  // Only the local node and the honest volunteer ever joined.
  await coordinator.waitForNodes(2);
  expect(await coordinator.page.evaluate(() => window.fabric!.nodes().map((n) => n.name))).toEqual(['this machine', 'honest']);
  await rogueContext.close();
  await intruder.close();
  await honest.close();
});
