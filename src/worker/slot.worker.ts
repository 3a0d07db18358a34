/**
 * A slot's Web Worker: exposes a {@link SlotRuntime} through comlink. Binary outputs of a task
 * (gradient sums, predictions) go back as transferables, not copies.
 */
import * as Comlink from 'comlink';
import type { SlotApi, TaskReply, TaskRequest } from '../protocol/slot-api';
import { SlotDevices } from './slot-devices';
import { SlotRuntime } from './slot-runtime';
// The app's group tasks and objectives (defineGroupTask, defineObjective), so this slot runs them by name.
import '../app-group-tasks';
import '../app-objectives';

const runtime = new SlotRuntime(new SlotDevices());

const api: SlotApi = {
  probe: (options) => runtime.probe(options),
  cachePartition: (ref, ipc) => runtime.cachePartition(ref, ipc),
  cacheArtifact: (ref, bytes) => runtime.cacheArtifact(ref, bytes),
  cachedPartitions: () => runtime.cachedPartitions(),
  setSlowdown: (factor) => runtime.setSlowdown(factor),
  loseDevice: () => runtime.loseDevice(),
  // `onReport` is a comlink proxy of the page's callback.
  watchReport: (onReport) => runtime.watchReport(onReport),
  memory: () => runtime.memory(),
  run: async (task: TaskRequest): Promise<TaskReply> => {
    const reply = await runtime.run(task);
    if (!reply.ok || !reply.binary) return reply;
    const buffers = reply.binary.map((b) => b.buffer).filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    return Comlink.transfer(reply, [...new Set(buffers)]);
  },
};

Comlink.expose(api);
