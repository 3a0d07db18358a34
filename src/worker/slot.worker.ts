/** A slot's Web Worker: exposes a {@link SlotRuntime} through comlink. */
import * as Comlink from 'comlink';
import { probeBackends } from './backend-probe';
import { SlotRuntime } from './slot-runtime';

Comlink.expose(new SlotRuntime(probeBackends));
