import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Float64, Int64, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
// Resolves to parquet-wasm's Node build, which needs no initialisation.
import { readParquet } from 'parquet-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { FabricError } from '../protocol/errors';
import { sniffFormat } from './formats';
import { loadBytes, type LoadedDataset } from './load';
import { choosePartitionRows, DEFAULT_PARTITION_ROWS, partitionTable, sha256Hex } from './partition';
import { PARQUET_BATCH_ROWS, readTable, type ParquetDecoder } from './read-table';

const decodeParquet: ParquetDecoder = (b) => readParquet(b, { batchSize: PARQUET_BATCH_ROWS }).intoIPCStream();
const FLIGHTS_PATH = fileURLToPath(new URL('../../node_modules/vega-datasets/data/flights-3m.parquet', import.meta.url));
const ASCII = new TextEncoder();

/** A decoder that must not be called: Arrow input never goes through Parquet. */
const noParquet: ParquetDecoder = () => {
  throw new Error('the Parquet decoder was called for a file that is not Parquet');
};

/** Loads and returns the FabricError thrown (failing the test when the load succeeds). */
async function loadError(bytes: Uint8Array, name: string, options = {}, decoder = decodeParquet): Promise<FabricError> {
  const err = await loadBytes(bytes, name, decoder, options).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FabricError);
  return err as FabricError;
}

function smallTable(rows = 10): Table {
  return new Table({
    id: vectorFromArray(Array.from({ length: rows }, (_, i) => BigInt(i) - 3n), new Int64()),
    score: vectorFromArray(Array.from({ length: rows }, (_, i) => (i % 4 === 1 ? null : i / 8)), new Float64()),
    label: vectorFromArray(Array.from({ length: rows }, (_, i) => `row ${i}`), new Utf8()),
  });
}

describe('loading flights-3m.parquet', () => {
  let bytes: Uint8Array;
  let first: LoadedDataset;
  let second: LoadedDataset;

  // The only two full loads in the suite (about 2 s each here).
  beforeAll(async () => {
    bytes = new Uint8Array(readFileSync(FLIGHTS_PATH));
    first = await loadBytes(bytes, 'flights-3m.parquet', decodeParquet);
    second = await loadBytes(bytes.slice(), 'flights-3m.parquet', decodeParquet);
    // vitest's default hook limit (10 s) was exceeded here with the machine's load average at 17;
    // the tests' own limit (60 s, vitest.config.ts) fits a shared machine.
  }, 60_000);

  it('reads 3,000,000 rows into 30 partitions of 100,000 rows', () => {
    expect(first.name).toBe('flights-3m.parquet');
    expect(first.numRows).toBe(3_000_000);
    expect(first.partitions).toHaveLength(30);
    expect(first.partitions.map((p) => p.ref.numRows)).toEqual(Array.from({ length: 30 }, () => 100_000));
    expect(first.partitions.reduce((s, p) => s + p.ref.numRows, 0)).toBe(first.numRows);
    first.partitions.forEach((p, i) => {
      expect(p.ref.index).toBe(i);
      expect(p.ref.id).toBe(`${first.id}/${i}`);
      expect(p.ref.byteLength).toBe(p.ipc.byteLength);
    });
  });

  it('describes the five columns with their Arrow types', () => {
    expect(first.columns).toEqual([
      { name: 'date', type: 'Timestamp<MICROSECOND>', numeric: true, nullable: true },
      { name: 'delay', type: 'Int64', numeric: true, nullable: true },
      { name: 'distance', type: 'Int64', numeric: true, nullable: true },
      { name: 'origin', type: 'LargeUtf8', numeric: false, nullable: true },
      { name: 'destination', type: 'LargeUtf8', numeric: false, nullable: true },
    ]);
  });

  it('hashes each partition with SHA-256 of its IPC bytes', () => {
    for (const p of first.partitions) {
      expect(p.ref.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(p.ref.hash).toBe(createHash('sha256').update(p.ipc).digest('hex'));
    }
    expect(new Set(first.partitions.map((p) => p.ref.hash)).size).toBe(30);
  });

  it('gives the same dataset id, partition ids and hashes on a second load', () => {
    expect(first.id).toMatch(/^[0-9a-f]{12}$/);
    expect(second.id).toBe(first.id);
    expect(second.partitions.map((p) => p.ref)).toEqual(first.partitions.map((p) => p.ref));
  });

  it('writes partitions that read back as Arrow tables holding all the rows', () => {
    const origins = new Set<string>();
    let delaySum = 0n;
    for (const p of first.partitions) {
      const part = tableFromIPC(p.ipc);
      expect(part.numRows).toBe(p.ref.numRows);
      expect(part.schema.fields.map((f) => f.name)).toEqual(['date', 'delay', 'distance', 'origin', 'destination']);
      for (const origin of part.getChild('origin')!) origins.add(origin as string);
      for (const d of part.getChild('delay')!) delaySum += (d as bigint | null) ?? 0n;
    }
    // Every origin airport of the file is in some partition.
    expect(origins.size).toBe(229);
    expect(delaySum).not.toBe(0n);
    // Partition k holds rows k·100k to k·100k + 99,999 of the file: compare its ends with rows read
    // straight from the Parquet file at those offsets.
    const rowsOf = (t: Table): unknown[] => t.toArray().map((r) => r.toJSON());
    for (const k of [0, 17, 29]) {
      const part = tableFromIPC(first.partitions[k]!.ipc);
      const fileRows = (offset: number): Table => tableFromIPC(readParquet(bytes, { offset, limit: 2 }).intoIPCStream());
      expect(rowsOf(part.slice(0, 2))).toEqual(rowsOf(fileRows(k * 100_000)));
      expect(rowsOf(part.slice(99_998))).toEqual(rowsOf(fileRows(k * 100_000 + 99_998)));
    }
  });

  it('reports a truncated file (its first half) as corrupt-file, saying it is truncated', async () => {
    const err = await loadError(bytes.subarray(0, Math.floor(bytes.byteLength / 2)), 'flights-3m.parquet');
    expect(err.code).toBe('corrupt-file');
    expect(err.message).toMatch(/"flights-3m\.parquet" starts like a Parquet file but does not end with the "PAR1" footer magic, so it is truncated/);
  });
});

describe('loading bad files', () => {
  it('reports an empty file as empty-file', async () => {
    const err = await loadError(new Uint8Array(0), 'nothing.parquet');
    expect(err.code).toBe('empty-file');
    expect(err.message).toMatch(/"nothing\.parquet" is empty \(0 bytes\)/);
  });

  it('reports an HTML page named data.parquet as unsupported-file, noting that its name says Parquet', async () => {
    const html = ASCII.encode('<!DOCTYPE html><html><body>404 Not Found</body></html>');
    const err = await loadError(html, 'data.parquet');
    expect(err.code).toBe('unsupported-file');
    expect(err.message).toMatch(/"data\.parquet" is not a Parquet, Arrow IPC or CSV file\. Its name says Parquet, but it starts with "<!DOCTYPE html><" instead of the "PAR1" \(Parquet\) or "ARROW1" \(Arrow\) magic bytes/);
    // Under another name the message does not claim a Parquet name.
    const other = await loadError(html, 'page.html');
    expect(other.code).toBe('unsupported-file');
    expect(other.message).toMatch(/It starts with "<!DOCTYPE html><"/);
    expect(other.message).not.toMatch(/name says Parquet/);
  });

  it('shows binary junk as hex in the message', async () => {
    const err = await loadError(new Uint8Array([0x00, 0x01, 0xfe, 0x10]), 'junk.bin');
    expect(err.code).toBe('unsupported-file');
    expect(err.message).toMatch(/starts with 00 01 fe 10 instead of/);
  });

  it('reports a file that starts and ends with PAR1 but holds garbage as corrupt-file', async () => {
    const fake = new Uint8Array(64);
    fake.set(ASCII.encode('PAR1'), 0);
    for (let i = 4; i < 60; i++) fake[i] = (i * 37) & 0xff;
    fake.set(ASCII.encode('PAR1'), 60);
    const err = await loadError(fake, 'fake.parquet');
    expect(err.code).toBe('corrupt-file');
    expect(err.message).toMatch(/"fake\.parquet" looks like Parquet but could not be read: .+\. The file may be truncated or damaged/);
    expect(err.cause).toBeDefined();
  });

  it('reports a damaged Arrow IPC stream as corrupt-file', async () => {
    const ipc = tableToIPC(smallTable(), 'stream');
    const err = await loadError(ipc.subarray(0, 40), 'cut.arrow', {}, noParquet);
    expect(err.code).toBe('corrupt-file');
    expect(err.message).toMatch(/looks like Arrow IPC but could not be read/);
  });

  it('rejects partitionRows 0 or a fraction with bad-input', async () => {
    const ipc = tableToIPC(smallTable(), 'stream');
    for (const partitionRows of [0, -5, 2.5, Number.NaN]) {
      const err = await loadError(ipc, 't.arrows', { partitionRows }, noParquet);
      expect(err.code).toBe('bad-input');
      expect(err.message).toMatch(new RegExp(`options\\.partitionRows must be a whole number of at least 1, got ${String(partitionRows)}`));
    }
  });
});

describe('loading Arrow IPC', () => {
  it('loads an Arrow IPC stream without the Parquet decoder', async () => {
    const table = smallTable(10);
    const loaded = await loadBytes(tableToIPC(table, 'stream'), 't.arrows', noParquet, { partitionRows: 4 });
    expect(loaded.numRows).toBe(10);
    expect(loaded.columns).toEqual([
      { name: 'id', type: 'Int64', numeric: true, nullable: true },
      { name: 'score', type: 'Float64', numeric: true, nullable: true },
      { name: 'label', type: 'Utf8', numeric: false, nullable: true },
    ]);
    expect(loaded.partitions.map((p) => p.ref.numRows)).toEqual([4, 4, 2]);
    // The partitions hold the rows in order.
    const rows = loaded.partitions.flatMap((p) => tableFromIPC(p.ipc).toArray().map((r) => r.toJSON()));
    expect(rows).toEqual(table.toArray().map((r) => r.toJSON()));
  });

  it('loads an Arrow IPC file (ARROW1 magic)', async () => {
    const loaded = await loadBytes(tableToIPC(smallTable(7), 'file'), 't.arrow', noParquet);
    expect(sniffFormat(tableToIPC(smallTable(7), 'file'), 't.arrow')).toBe('arrow-file');
    expect(loaded.numRows).toBe(7);
    expect(loaded.partitions).toHaveLength(1);
  });

  it('gives a different dataset id when the content or the partitioning differs', async () => {
    const ipc = tableToIPC(smallTable(10), 'stream');
    const a = await loadBytes(ipc, 'a.arrows', noParquet, { partitionRows: 5 });
    const again = await loadBytes(ipc, 'renamed.arrows', noParquet, { partitionRows: 5 });
    const b = await loadBytes(ipc, 'a.arrows', noParquet, { partitionRows: 3 });
    const c = await loadBytes(tableToIPC(smallTable(11), 'stream'), 'a.arrows', noParquet, { partitionRows: 5 });
    expect(again.id).toBe(a.id);
    expect(b.id).not.toBe(a.id);
    expect(c.id).not.toBe(a.id);
  });

  it('rejects a table with no columns as unsupported-file', () => {
    const empty = tableToIPC(new Table(), 'stream');
    expect(() => readTable(empty, 'empty.arrows', noParquet)).toThrow(expect.objectContaining({ code: 'unsupported-file', message: expect.stringMatching(/has no columns/) }));
  });
});

describe('partitioning', () => {
  it('keeps a table of zero rows as one empty partition', async () => {
    const { partitions } = await partitionTable(smallTable(0), 100);
    expect(partitions.map((p) => p.ref.numRows)).toEqual([0]);
    expect(tableFromIPC(partitions[0]!.ipc).numRows).toBe(0);
  });

  it('rejects a bad rowsPerPartition', async () => {
    await expect(partitionTable(smallTable(), 0)).rejects.toMatchObject({ code: 'bad-input', message: expect.stringMatching(/rowsPerPartition must be a whole number of at least 1, got 0/) });
  });

  it('uses the default rows for narrow tables and fewer for wide ones', () => {
    expect(choosePartitionRows(smallTable(1000))).toBe(DEFAULT_PARTITION_ROWS);
    // 20,000 rows of 2 KiB strings: 16 MiB / 2 KiB = about 8,000 rows per partition.
    const wide = new Table({ text: vectorFromArray(Array.from({ length: 20_000 }, () => 'x'.repeat(2048)), new Utf8()) });
    const rows = choosePartitionRows(wide);
    expect(rows).toBeLessThan(8200);
    expect(rows).toBeGreaterThan(7000);
  });

  it('hashes with SHA-256', async () => {
    expect(await sha256Hex(ASCII.encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
