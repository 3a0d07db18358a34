/**
 * Links of the simulated fleet as serial lanes: bytes queue behind the bytes sent before them and
 * leave at the lane's rate. A transfer between the coordinator and a volunteer occupies two lanes
 * at once (the coordinator's side and the volunteer's side) and ends when the slower is done,
 * which models the path as its narrower hop; latency is added once, per message.
 */
import type { Random } from './random';

/** One direction of one link. */
export class Lane {
  private busyUntil = 0;
  /** Bytes this lane has carried. */
  bytes = 0;

  /** `bitsPerSecond`: the lane's rate. */
  constructor(readonly bitsPerSecond: number) {}

  /** Queues `bytes` at time `at` (ms); returns when the last byte has left (ms). */
  transmit(at: number, bytes: number): number {
    const start = Math.max(at, this.busyUntil);
    this.busyUntil = start + (bytes * 8 * 1000) / this.bitsPerSecond;
    this.bytes += bytes;
    return this.busyUntil;
  }
}

/** Network figures of the simulated fleet. Each draw is per node, for the node's life. */
export interface NetworkParams {
  /** One-way latency between the coordinator and a volunteer, median (ms). */
  readonly latencyMedianMs: number;
  /** Log-space spread of the latency. */
  readonly latencySigma: number;
  /** Volunteer download rate, median (bit/s). */
  readonly downMedianBps: number;
  /** Volunteer upload rate, median (bit/s). */
  readonly upMedianBps: number;
  /** Log-space spread of both rates. */
  readonly rateSigma: number;
  /** The coordinator's own link, each direction (bit/s); every volunteer shares it. */
  readonly coordinatorBps: number;
}

/**
 * The defaults: a mix of home broadband, campus Wi-Fi and mobile. They are assumptions stated here,
 * not measurements: median one-way latency 30 ms (Europe or US, same continent), 50 Mbit/s down and
 * 20 Mbit/s up (typical fixed broadband of 2024), a log-space spread of 0.7 (about 10x between the
 * 5th and 95th percentile node), and a coordinator on a 1 Gbit/s link.
 */
export const DEFAULT_NETWORK: NetworkParams = {
  latencyMedianMs: 30,
  latencySigma: 0.5,
  downMedianBps: 50e6,
  upMedianBps: 20e6,
  rateSigma: 0.7,
  coordinatorBps: 1e9,
};

/** The coordinator's side of every link: one inbound and one outbound lane shared by all nodes. */
export class Coordinator {
  /** From the volunteers to the coordinator: results and gradients. */
  readonly ingress: Lane;
  /** From the coordinator to the volunteers: partitions, artifacts, parameters. */
  readonly egress: Lane;

  constructor(readonly params: NetworkParams) {
    this.ingress = new Lane(params.coordinatorBps);
    this.egress = new Lane(params.coordinatorBps);
  }
}

/** One volunteer's link, drawn from the network figures. */
export class NodeLink {
  readonly latencyMs: number;
  private readonly down: Lane;
  private readonly up: Lane;

  constructor(private readonly coordinator: Coordinator, random: Random) {
    const p = coordinator.params;
    this.latencyMs = random.logNormal(p.latencyMedianMs, p.latencySigma);
    this.down = new Lane(random.logNormal(p.downMedianBps, p.rateSigma));
    this.up = new Lane(random.logNormal(p.upMedianBps, p.rateSigma));
  }

  /** Sends `bytes` to the volunteer at `at`; returns when they have arrived. */
  send(at: number, bytes: number): number {
    return Math.max(this.coordinator.egress.transmit(at, bytes), this.down.transmit(at, bytes)) + this.latencyMs;
  }

  /** Sends `bytes` from the volunteer to the coordinator at `at`; returns when they have arrived. */
  receive(at: number, bytes: number): number {
    return Math.max(this.coordinator.ingress.transmit(at, bytes), this.up.transmit(at, bytes)) + this.latencyMs;
  }

  /** Bytes sent to and received from this volunteer. */
  traffic(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: this.up.bytes, bytesOut: this.down.bytes };
  }
}
