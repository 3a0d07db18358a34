/** LAN (classroom) mode: which address other machines reach this one at. */
import { networkInterfaces } from 'node:os';

/**
 * The IPv4 addresses of this machine that other hosts can reach, best first.
 * Interfaces that look virtual (docker, veth, bridges) go last: a laptop's Wi-Fi address is
 * what students need.
 */
export function lanAddresses(): string[] {
  const found: { address: string; virtual: boolean }[] = [];
  for (const [name, infos] of Object.entries(networkInterfaces())) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4' || info.internal) continue;
      found.push({ address: info.address, virtual: /^(docker|veth|br-|virbr|lo)/.test(name) });
    }
  }
  found.sort((a, b) => Number(a.virtual) - Number(b.virtual));
  return found.map((f) => f.address);
}
