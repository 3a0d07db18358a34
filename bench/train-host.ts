/**
 * A coordinator without the dashboard, for `npm run bench:train`: the public API the coordinator
 * page (`/`) puts on `window.fabric` and `window.fabricReady`, started the same way, with none of
 * its panels. Trained side by side with `/`, it shows what rendering the dashboard costs during
 * training. Query: `slots=N` (local slots), `dataset=none` (skip loading flights-3m).
 */
import { Fabric } from '../src/index';

async function start(): Promise<Fabric> {
  const params = new URLSearchParams(location.search);
  const slots = params.get('slots');
  const fabric = await Fabric.start(slots === null ? {} : { localSlots: Number(slots) });
  window.fabric = fabric;
  if (params.get('dataset') !== 'none') await fabric.load('flights-3m');
  return fabric;
}

window.fabricReady = start();
