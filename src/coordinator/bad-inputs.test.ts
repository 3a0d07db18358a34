/**
 * The corpus of hostile and broken inputs (test-data/bad-inputs/manifest.json), each run through
 * the code the loader worker runs (`loadBlob` with parquet-wasm), and then through train, groupBy
 * or model validation where the entry says so. Every error must be a FabricError with the
 * manifest's code and a message matching its pattern (naming the problem and the column or line).
 */
import { openAsBlob, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
// parquet-wasm's Node build, which needs no initialisation.
import { readParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_INPUTS_DIR, writeHugeSingleLine } from '../../scripts/make-bad-inputs';
import { groupByKey, groupSizes } from '../data/group-shuffle';
import { loadBlob, type LoadedDataset } from '../data/load';
import { PARQUET_BATCH_ROWS, type ParquetDecoder } from '../data/read-table';
import { linearRegression, ols } from '../ml/models';
import type { DatasetInfo } from '../protocol/dataset';
import { FabricError } from '../protocol/errors';
import { InProcessNode } from '../testing/in-process-node';
import { ArtifactStore } from './artifact-store';
import { planFitJob } from './jobs/fit-groups';
import { runTrainJob } from './jobs/train';
import { Scheduler } from './scheduler';
import { prepareLayers } from './score-model';

interface Entry {
  readonly file: string;
  readonly problem: string;
  readonly stage: 'load' | 'loads' | 'train' | 'groupBy-fit' | 'model' | 'group-keys';
  readonly generated?: boolean;
  readonly expect?: { readonly code: string; readonly message: string };
  readonly train?: { readonly target: string; readonly features: string[]; readonly missing?: 'error' | 'drop' };
  readonly fit?: { readonly key: string; readonly target: string; readonly features: string[] };
  readonly columns?: string[];
  readonly loads?: { readonly rows: number; readonly columns: string[]; readonly types?: string[] };
  readonly groupKeys?: { readonly key: string; readonly keys: string[]; readonly sizes: number[] };
}

const manifest = JSON.parse(readFileSync(join(BAD_INPUTS_DIR, 'manifest.json'), 'utf8')) as { entries: Entry[] };
const decodeParquet: ParquetDecoder = (b) => readParquet(b, { batchSize: PARQUET_BATCH_ROWS }).intoIPCStream();

/** Loads a corpus file as the loader worker would: a Blob read by content, CSV streamed from it. */
async function load(file: string): Promise<LoadedDataset> {
  return loadBlob(await openAsBlob(join(BAD_INPUTS_DIR, file)), file, decodeParquet);
}

/** Runs `step` and returns what it threw, failing the test when it succeeds or throws anything but a FabricError. */
async function errorOf(step: () => unknown): Promise<FabricError> {
  const thrown = await Promise.resolve().then(step).then(() => undefined, (e: unknown) => e);
  expect(thrown, 'the step succeeded; it must fail').toBeInstanceOf(FabricError);
  return thrown as FabricError;
}

function expectError(err: FabricError, entry: Entry): void {
  expect(`${err.code}: ${err.message}`).toMatch(new RegExp(`^${entry.expect!.code}: .*${entry.expect!.message}`, 's'));
}

function info(d: LoadedDataset): DatasetInfo {
  return { ...d, partitions: d.partitions.map((p) => p.ref), loadMs: 0 };
}

/** A scheduler with one in-process node of 2 slots, serving the dataset's partitions. */
function cluster(d: LoadedDataset): { scheduler: Scheduler; artifacts: ArtifactStore } {
  const bytes = new Map(d.partitions.map((p) => [p.ref.id, p.ipc]));
  const artifacts = new ArtifactStore();
  const scheduler = new Scheduler({ localityWaitMs: 0 });
  scheduler.addNode(new InProcessNode('n0', 2, { bytes: (ref) => bytes.get(ref.id)!, artifactBytes: (ref) => artifacts.bytes(ref), durable: (ref) => artifacts.durable(ref) }));
  return { scheduler, artifacts };
}

describe('the bad-inputs corpus', () => {
  it('holds at least 25 inputs that must fail, each checked in unless generated', () => {
    const failing = manifest.entries.filter((e) => e.expect);
    expect(failing.length).toBeGreaterThanOrEqual(25);
    const onDisk = new Set(readdirSync(BAD_INPUTS_DIR));
    for (const e of manifest.entries) if (!e.generated) expect(onDisk.has(e.file), e.file).toBe(true);
  });

  for (const entry of manifest.entries.filter((e) => !e.generated)) {
    it(`${entry.file}: ${entry.problem}`, async () => {
      switch (entry.stage) {
        case 'load':
          expectError(await errorOf(() => load(entry.file)), entry);
          break;
        case 'loads': {
          const d = await load(entry.file);
          const want = entry.loads!;
          expect(d.numRows).toBe(want.rows);
          expect(d.columns.map((c) => c.name)).toEqual(want.columns);
          if (want.types) expect(d.columns.map((c) => c.type)).toEqual(want.types);
          break;
        }
        case 'train': {
          const d = await load(entry.file);
          const { scheduler, artifacts } = cluster(d);
          const t = entry.train!;
          expectError(await errorOf(() => runTrainJob(scheduler, artifacts, info(d), { target: t.target, features: t.features, missing: t.missing, model: linearRegression({ l2: 0 }) })), entry);
          break;
        }
        case 'groupBy-fit': {
          const d = await load(entry.file);
          const f = entry.fit!;
          expectError(await errorOf(() => planFitJob(info(d), f.key, { target: f.target, features: f.features, model: ols() })), entry);
          break;
        }
        case 'model': {
          const dir = join(BAD_INPUTS_DIR, entry.file);
          const shards = Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith('.bin')).map((f) => [f, new Uint8Array(readFileSync(join(dir, f)))]));
          expectError(await errorOf(() => prepareLayers({ modelJson: readFileSync(join(dir, 'model.json'), 'utf8'), shards }, { columns: entry.columns })), entry);
          break;
        }
        case 'group-keys': {
          const d = await load(entry.file);
          const g = entry.groupKeys!;
          const grouped = groupByKey(d.partitions.map((p) => tableFromIPC(p.ipc)), g.key);
          expect(grouped.keys).toEqual(g.keys);
          expect(groupSizes(grouped).map((s) => s.rows)).toEqual(g.sizes);
          break;
        }
      }
    });
  }
});

describe('what the corpus files hold once loaded', () => {
  it('drops the BOM from the first column name and reads CRLF rows', async () => {
    const d = await load('bom.csv');
    const rows = tableFromIPC(d.partitions[0]!.ipc).toArray().map((r) => r.toJSON());
    expect(d.columns[0]!.name).toBe('id');
    expect(rows).toEqual([{ id: 1n, x: 0.5, city: 'ams' }, { id: 2n, x: 1.5, city: 'ber' }]);
  });

  it('keeps line breaks, commas and doubled quotes inside quoted fields; an empty cell is null', async () => {
    const d = await load('quoted-newlines.csv');
    const rows = tableFromIPC(d.partitions[0]!.ipc).toArray().map((r) => r.toJSON());
    expect(rows.map((r) => r.note)).toEqual(['first line\nsecond line', 'a "quoted", comma', 'three\r\nlines\nhere', 'plain']);
    expect(rows.map((r) => r.x)).toEqual([0.5, 1.5, null, 4.5]);
  });

  it('reads NaN as a float64 NaN, which counts as missing', async () => {
    const x = tableFromIPC((await load('nan.csv')).partitions[0]!.ipc).getChild('x')!;
    expect(Array.from(x.toArray() as Float64Array)).toEqual([0.5, NaN, 1.5, NaN, 2.5, 3.5]);
  });
});

describe('a 100 MB CSV with no line break', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fabric-bad-inputs-'));
    await writeHugeSingleLine(join(dir, 'huge-single-line.csv'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fails with line-too-long naming line 1, after reading about 16 MiB of it', async () => {
    const entry = manifest.entries.find((e) => e.generated)!;
    const blob = await openAsBlob(join(dir, 'huge-single-line.csv'));
    expect(blob.size).toBe(100 * 1024 * 1024);
    // Count the bytes the reader pulls: it must stop near the limit, not drain the file.
    let pulled = 0;
    const stream = blob.stream().pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        pulled += chunk.byteLength;
        ctl.enqueue(chunk);
      },
    }));
    const spy = { size: blob.size, slice: (a?: number, b?: number) => blob.slice(a, b), stream: () => stream } as unknown as Blob;
    const err = await errorOf(() => loadBlob(spy, 'huge-single-line.csv', decodeParquet));
    expectError(err, entry);
    expect(pulled).toBeLessThan(40 * 1024 * 1024);
  });
});
