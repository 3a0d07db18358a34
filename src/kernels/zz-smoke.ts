import { create } from 'webgpu';
import { requestDevice, glmLossGradGpu, sumVectorsGpu } from '/work/main/src/kernels/gpu-runner.ts';
import { glmLossGrad, sumVectors } from '/work/main/src/kernels/glm-cpu.ts';
import { randomDesign, randomParams } from '/work/main/src/kernels/test-fixtures.ts';
import { parameterCount } from '/work/main/src/kernels/design.ts';
import type { GlmKind } from '/work/main/src/kernels/design.ts';
const device = await requestDevice(create([]));
globalThis.gc?.();
if (!device) throw new Error('no device');
console.log('limits', device.limits.maxStorageBufferBindingSize);
for (const [kind, rows, dc, cats] of [['linear', 257, 5, [7, 3]], ['logistic', 100003, 41, [229, 229]], ['linear', 100003, 41, [229,229]], ['softmax', 2000, 6, [11]]] as [GlmKind, number, number, number[]][]) {
  const m = randomDesign({ rows, denseCols: dc, categories: cats, kind, seed: 1 });
  const classes = 3;
  const p = randomParams(kind, m, classes, 2);
  const g = new Float64Array(parameterCount(kind, m.dim, classes));
  let t = performance.now();
  const loss = glmLossGrad(kind, m, p, classes, g);
  const cpuMs = performance.now() - t;
  t = performance.now();
  const r = await glmLossGradGpu(device, kind, m, p, classes);
  const gpu1 = performance.now() - t;
  t = performance.now();
  const r2 = await glmLossGradGpu(device, kind, m, p, classes);
  const gpu2 = performance.now() - t;
  let diff = 0, norm = 0;
  for (let i = 0; i < g.length; i++) { diff = Math.max(diff, Math.abs(g[i]! - r.grad[i]!)); norm += g[i]! ** 2; }
  console.log(kind, rows, 'loss', loss, r.loss, 'rel', Math.abs(loss - r.loss) / Math.abs(loss), 'gdiff/gnorm', diff / Math.sqrt(norm), 'same2', r2.loss === r.loss, 'cpu', cpuMs.toFixed(1), 'gpu', gpu1.toFixed(1), gpu2.toFixed(1));
}
const vs = Array.from({ length: 8 }, (_, k) => Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i * 7 + k) * 10 ** ((i % 7) - 3)));
const a = sumVectors(vs); const b = await sumVectorsGpu(device, vs);
let worst = 0; for (let i = 0; i < a.length; i++) { let s = 0; for (const v of vs) s += Math.abs(v[i]!); worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / s); }
console.log('sum worst rel', worst);
device.destroy();
