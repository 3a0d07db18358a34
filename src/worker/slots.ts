/** Starting a page's slots: one module Web Worker each, wrapped with comlink. */
import * as Comlink from 'comlink';
import type { ProbeOptions, ProbeReport, SlotApi } from '../protocol/slot-api';

/** A started slot. */
export interface SlotHandle {
  readonly api: Comlink.Remote<SlotApi>;
  readonly report: ProbeReport;
  readonly worker: Worker;
}

/** The default slot count: one per core, less one for the page itself. */
export function defaultSlotCount(): number {
  return Math.max(1, (navigator.hardwareConcurrency || 2) - 1);
}

/** Starts `count` slots and probes their backends (one at a time: the probes compete for cores). */
export async function startSlots(count: number, onProbed?: (i: number, report: ProbeReport) => void, options: ProbeOptions = {}): Promise<SlotHandle[]> {
  const slots: SlotHandle[] = [];
  for (let i = 0; i < count; i++) {
    const worker = new Worker(new URL('./slot.worker.ts', import.meta.url), { type: 'module', name: `fabric-slot-${i}` });
    const api = Comlink.wrap<SlotApi>(worker);
    const report = await api.probe(options);
    onProbed?.(i, report);
    slots.push({ api, report, worker });
  }
  return slots;
}
