import { create } from 'webgpu';
import { requestDevice } from './gpu-runner.ts';
import { randomDesign, randomParams } from './test-fixtures.ts';
import { GlmGradientProgram } from './glm-gradient.wgsl.ts';
import { programPipelines } from './gpu-resources.ts';
import { uploadDesign } from './glm-gpu-upload.ts';
const gpu = create([]);
const device = (await requestDevice(gpu))!;
const dc = Number(process.argv[2] ?? 41);
const m = randomDesign({ rows: 100003, denseCols: dc, categories: [229, 229], kind: 'logistic', seed: 1 });
const prog = new GlmGradientProgram('logistic', Number(process.argv[3] ?? 4));
const { bindGroupLayout, pipelines } = await programPipelines(device, prog);
const up = uploadDesign(device, m, 1, bindGroupLayout, prog);
device.queue.writeBuffer(up.params, 0, new Float32Array(randomParams('logistic', m, 1, 2)));
await device.queue.onSubmittedWorkDone();
const block = up.blocks[0]!;
for (const sel of [[1], [0, 1, 2, 3]]) {
  const times: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const t = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setBindGroup(0, block.bindGroup);
    prog.dispatches(block.shape).forEach(([x, y], i) => { if (x && y && sel.includes(i)) { pass.setPipeline(pipelines[i]!); pass.dispatchWorkgroups(x, y); } });
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    times.push(performance.now() - t);
  }
  console.log(sel.join(','), times.map((x) => x.toFixed(1)).join(' '));
}
device.destroy();
