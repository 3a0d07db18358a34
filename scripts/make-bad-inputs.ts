/**
 * Writes the corpus of hostile and broken inputs in test-data/bad-inputs/ (checked in; run again
 * with `npx tsx scripts/make-bad-inputs.ts` after changing it). What each file is and the error it
 * must give are in test-data/bad-inputs/manifest.json. The one large input, a 100 MB CSV with no
 * line break, is not checked in: tests make it with {@link writeHugeSingleLine}.
 */
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Float64, Int64, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';

/** Where the corpus lives. */
export const BAD_INPUTS_DIR = fileURLToPath(new URL('../test-data/bad-inputs/', import.meta.url));

/**
 * Writes `bytes` of one CSV line with no line break: a header `a,` and then one endless field. It
 * is written in 1 MiB pieces, so making it never holds the whole file.
 */
export async function writeHugeSingleLine(path: string, bytes = 100 * 1024 * 1024): Promise<void> {
  const out = createWriteStream(path);
  const piece = Buffer.alloc(1024 * 1024, 'x');
  out.write('a,');
  for (let written = 2; written < bytes; written += piece.length) {
    if (!out.write(piece.subarray(0, Math.min(piece.length, bytes - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function small(): Table {
  return new Table({
    id: vectorFromArray([1n, 2n, 3n, 4n, 5n, 6n], new Int64()),
    x: vectorFromArray([0.5, 1.5, 2.5, 3.5, 4.5, 5.5], new Float64()),
    city: vectorFromArray(['ams', 'ber', 'ams', 'cph', 'ber', 'ams'], new Utf8()),
  });
}

/** Renames column `from` to `to` (same length) everywhere in the bytes: a file with two columns named alike. */
function renameColumn(bytes: Uint8Array, from: string, to: string): Buffer {
  const b = Buffer.from(bytes);
  for (let i = b.indexOf(from); i >= 0; i = b.indexOf(from)) b.write(to, i);
  return b;
}

async function main(): Promise<void> {
  const { Table: WasmTable, writeParquet } = await import('parquet-wasm');
  const tf = await import('@tensorflow/tfjs');
  mkdirSync(BAD_INPUTS_DIR, { recursive: true });
  const put = (name: string, data: string | Uint8Array): void => writeFileSync(join(BAD_INPUTS_DIR, name), data);

  const stream = tableToIPC(small(), 'stream');
  const file = tableToIPC(small(), 'file');
  const parquet = writeParquet(WasmTable.fromIPCStream(stream));
  put('truncated.parquet', parquet.subarray(0, Math.floor(parquet.byteLength / 2)));
  // Both magics in place, the middle zeroed: it passes the sniff but not the reader.
  const hollow = parquet.slice();
  hollow.fill(0, 4, hollow.byteLength - 4);
  put('hollow.parquet', hollow);
  put('truncated.arrow', file.subarray(0, Math.floor(file.byteLength * 0.8)));
  put('truncated.arrows', stream.subarray(0, Math.floor(stream.byteLength * 0.8)));
  put('parquet-named.arrow', parquet);
  put('arrow-named.parquet', file);
  put('png-named.parquet', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]));
  put('html-named.parquet', '<!DOCTYPE html><html><body>404 Not Found</body></html>\n');
  put('json-named.csv', '[{"a": 1, "b": 2}]\n');
  put('zero-bytes.csv', '');
  // Fixed pseudo-random bytes (a linear congruential sequence), so the file never changes.
  let seed = 12345;
  put('random-bytes.bin', Uint8Array.from({ length: 512 }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24)));
  put('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a,b\r\n1,2\r\n', 'utf16le')]));
  put('latin1.csv', Buffer.from('name,city\nJosé,Zürich\n', 'latin1'));

  const dup = new Table({ dupcolA: vectorFromArray([1, 2], new Float64()), dupcolB: vectorFromArray([3, 4], new Float64()) });
  put('duplicate-columns.arrow', renameColumn(tableToIPC(dup, 'file'), 'dupcolB', 'dupcolA'));
  // parquet-wasm trusts the Arrow schema stored in the footer over the Parquet one; hide it.
  put('duplicate-columns.parquet', renameColumn(renameColumn(writeParquet(WasmTable.fromIPCStream(tableToIPC(dup, 'stream'))), 'dupcolB', 'dupcolA'), 'ARROW:schema', 'ARROW:schemX'));

  put('ragged-short.csv', 'id,x,city\n1,0.5,ams\n2,1.5,ber\n3,2.5\n4,3.5,cph\n');
  put('ragged-long.csv', 'id,x,city\n1,0.5,ams\n2,1.5,ber,extra\n');
  put('bom.csv', '\uFEFFid,x,city\r\n1,0.5,ams\r\n2,1.5,ber\r\n');
  put('quoted-newlines.csv', 'id,note,x\n1,"first line\nsecond line",0.5\n2,"a ""quoted"", comma",1.5\n3,"three\r\nlines\nhere",\n4,plain,4.5\n');
  put('quoted-newlines-bad-value.csv', 'id,note,x\n1,"first line\nsecond line",0.5\n2,"two\nlines",1.5\n3,ok,oops\n4,ok,4.5\n5,ok,5.5\n');
  put('non-numeric.csv', 'id,price\n1,10\n2,12\n3,abc\n4,15\n5,18\n');
  put('na-marker.csv', 'id,temp\n1,20.5\n2,n/a\n3,21.0\n4,19.5\n');
  put('mixed-types.csv', 'id,reading\n1,3.5\n2,4\n3,high\n4,5.25\n5,low\n6,6\n7,7\n');
  put('mostly-text.csv', 'id,code,y\n1,A7,1.0\n2,B2,2.0\n3,12,3.0\n4,C9,4.0\n');
  put('header-only.csv', 'id,x,city\n');
  put('blank-lines.csv', '\n\r\n\n');
  put('inf.csv', 'id,x\n1,0.5\n2,Inf\n3,1.5\n');
  put('nan.csv', 'id,x,y\n1,0.5,1.0\n2,NaN,2.0\n3,1.5,3.1\n4,nan,3.9\n5,2.5,5.2\n6,3.5,6.1\n');
  put('duplicate-columns.csv', 'id,x,id\n1,2,3\n');
  put('unclosed-quote.csv', 'id,note\n1,ok\n2,"never closed\n3,more\n');
  put('text-after-quote.csv', 'id,note\n1,"quoted"tail\n');
  put('missing-target.csv', 'id,distance,origin\n1,100,ams\n2,250,ber\n3,80,ams\n');
  put('null-group-key.csv', 'city,x,y\nams,1,2.0\nber,2,4.1\n,3,6.2\nams,4,8.1\n,5,9.8\nber,6,12.2\n');

  // A tfjs model taking 3 inputs, saved as model.json plus one weight shard.
  const net = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3], kernelInitializer: 'ones', biasInitializer: 'zeros' })] });
  let saved: import('@tensorflow/tfjs').io.ModelArtifacts | undefined;
  await net.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const modelJson = JSON.stringify({ format: 'layers-model', modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: saved!.weightSpecs }] });
  for (const dir of ['model-wrong-inputs', 'model-missing-shard']) mkdirSync(join(BAD_INPUTS_DIR, dir), { recursive: true });
  put('model-wrong-inputs/model.json', modelJson);
  put('model-wrong-inputs/group1-shard1of1.bin', new Uint8Array(saved!.weightData as ArrayBuffer));
  put('model-missing-shard/model.json', modelJson);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
