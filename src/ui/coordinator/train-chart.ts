/** The live loss curve (uPlot): training objective and held-out loss per iteration. */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { TrainIteration } from '../../index';

/** A chart that grows as iterations arrive. */
export class LossChart {
  private readonly plot: uPlot;
  private readonly x: number[] = [];
  private readonly train: number[] = [];
  private readonly held: (number | null)[] = [];

  constructor(root: HTMLElement) {
    const width = Math.max(320, Math.min(root.clientWidth || 640, 900));
    this.plot = new uPlot({
      width,
      height: 260,
      title: 'Loss per iteration',
      scales: { x: { time: false } },
      axes: [{ label: 'iteration' }, { label: 'loss', size: 60 }],
      series: [
        {},
        // Solid and dashed, so the two lines differ without colour.
        { label: 'train (objective)', stroke: '#0072B2', width: 2 },
        { label: 'held-out', stroke: '#D55E00', width: 2, dash: [8, 4] },
      ],
    }, [[], [], []], root);
  }

  /** Adds one iteration. */
  push(it: TrainIteration): void {
    this.x.push(it.iteration);
    this.train.push(it.trainLoss);
    this.held.push(Number.isFinite(it.holdoutLoss) ? it.holdoutLoss : null);
    this.plot.setData([this.x, this.train, this.held]);
  }
}
