// Seeded mutation fuzzing of Fathom's two file readers: the dataset loader and the
// safetensors reader. Shared by test/robustness/fuzz.test.ts (a bounded run) and
// scripts/fuzz.js (a long run). Plain JS: the caller passes the library functions in, so
// the same cases run against lib/ (tests) and dist/ (script).
//
// Every case must end in success or in the reader's own clear error (DatasetError,
// FathomError 'IO'); anything else (TypeError, a V8 allocation failure, a crash) is a bug.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

/** mulberry32: a tiny seeded generator, independent of the library under test. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

const HOSTILE = [0, -1, 1.5, 2 ** 31, 2 ** 32 + 7, 2 ** 53, 1e300, -(2 ** 40), '12', null, [], {}, true];

function flipBits(buf, r, count) {
  const out = Buffer.from(buf);
  for (let i = 0; i < count && out.length > 0; i++) out[r.int(out.length)] ^= 1 << r.int(8);
  return out;
}

/** Sets a random numeric path of `obj` (found by walking it) to a hostile value. */
function poisonNumber(obj, r) {
  const paths = [];
  const walk = (o, path) => {
    if (Array.isArray(o) || (o && typeof o === 'object')) for (const k of Object.keys(o)) walk(o[k], [...path, k]);
    else if (typeof o === 'number') paths.push(path);
  };
  walk(obj, []);
  if (paths.length === 0) return;
  const path = r.pick(paths);
  let o = obj;
  for (const k of path.slice(0, -1)) o = o[k];
  o[path[path.length - 1]] = r.pick(HOSTILE);
}

/**
 * Dataset-loader fuzzer over a copy of a bundled dataset in `workDir`. Returns
 * `run(caseSeed)` → 'ok' | 'error:<code>' and throws for an unexpected failure.
 */
export function datasetFuzzer({ loadDataset, DatasetError, sourceDir, workDir }) {
  const base = join(workDir, 'base');
  const caseDir = join(workDir, 'case');
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  cpSync(sourceDir, base, { recursive: true });
  const files = Object.fromEntries(readdirSync(base).map((f) => [f, readFileSync(join(base, f))]));
  const gzNames = Object.keys(files).filter((f) => f.endsWith('.gz'));
  const meta = JSON.parse(files['meta.json'].toString());

  const mutations = [
    (r) => {
      const f = r.pick(gzNames);
      writeFileSync(join(caseDir, f), files[f].subarray(0, r.int(files[f].length)));
    },
    (r) => {
      const f = r.pick(gzNames);
      writeFileSync(join(caseDir, f), flipBits(files[f], r, 1 + r.int(8)));
    },
    (r) => writeFileSync(join(caseDir, 'meta.json'), flipBits(files['meta.json'], r, 1 + r.int(4))),
    (r) => {
      const m = structuredClone(meta);
      poisonNumber(r.next() < 0.5 ? m.files : m, r);
      writeFileSync(join(caseDir, 'meta.json'), JSON.stringify(m));
    },
    (r) => {
      // Declare a huge shape for one file: the loader must not allocate what it declares.
      const m = structuredClone(meta);
      const f = m.files[r.pick(Object.keys(m.files))];
      f.shape = f.shape.map(() => r.pick([2 ** 20, 2 ** 31 - 1, 2 ** 40, 1e15]));
      writeFileSync(join(caseDir, 'meta.json'), JSON.stringify(m));
    },
    (r) => {
      // Out-of-range or negative indices and labels, validly compressed.
      const f = r.pick(['edge_index.i32.gz', 'y.i32.gz']);
      const a = new Int32Array(new Uint8Array(gunzipSync(files[f])).buffer);
      for (let i = 0; i < 1 + r.int(4); i++) a[r.int(a.length)] = r.pick([-1, -(2 ** 31), 2 ** 31 - 1, meta.num_nodes, meta.num_classes]);
      writeFileSync(join(caseDir, f), gzipSync(Buffer.from(a.buffer)));
    },
    (r) => unlinkSync(join(caseDir, r.pick(Object.keys(files)))),
    (r) => {
      const f = r.pick(gzNames);
      writeFileSync(join(caseDir, f), gzipSync(Buffer.concat([gunzipSync(files[f]), Buffer.alloc(1 + r.int(64))])));
    },
  ];

  return (caseSeed) => {
    const r = prng(caseSeed);
    rmSync(caseDir, { recursive: true, force: true });
    mkdirSync(caseDir);
    for (const [f, b] of Object.entries(files)) writeFileSync(join(caseDir, f), b);
    const n = 1 + r.int(3);
    for (let i = 0; i < n; i++) {
      try {
        r.pick(mutations)(r);
      } catch {
        // A mutation of a file an earlier one deleted: keep the case as it is.
      }
    }
    try {
      loadDataset(caseDir, { split: r.int(2), verifyChecksums: r.next() < 0.2 });
      return 'ok';
    } catch (e) {
      if (e instanceof DatasetError) return `error:${e.code}`;
      throw new Error(`dataset fuzz case ${caseSeed}: unexpected ${e?.name}: ${e?.message}`, { cause: e });
    }
  };
}

/** Safetensors fuzzer over an encoded file with a few tensors; same contract as datasetFuzzer. */
export function safetensorsFuzzer({ decodeSafetensors, encodeSafetensors, FathomError }) {
  const base = encodeSafetensors(
    {
      'model/conv0.weight': { data: Float32Array.from({ length: 48 }, (_, i) => i / 7), shape: [6, 8] },
      'model/conv0.bias': { data: new Float64Array([1, 2, 3]), shape: [3] },
      'optimizer/0/m': { data: new Int32Array([5, -5]), shape: [1, 2] },
      mask: { data: new Uint8Array([1, 0, 1]), shape: [3] },
      empty: { data: new Float32Array(0), shape: [0, 4] },
    },
    { format: 'fathom-checkpoint/1', epoch: '3' },
  );
  const n = Number(base.readBigUInt64LE(0));
  const header = JSON.parse(base.subarray(8, 8 + n).toString());
  const data = base.subarray(8 + n);
  const withHeader = (h, body = data) => {
    const json = Buffer.from(JSON.stringify(h));
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    return Buffer.concat([len, json, body]);
  };
  const names = Object.keys(header).filter((k) => k !== '__metadata__');

  const mutations = [
    (b, r) => b.subarray(0, r.int(b.length)),
    (b, r) => flipBits(b, r, 1 + r.int(8)),
    (b, r) => {
      const c = Buffer.from(b);
      if (c.length < 8) return c;
      c.writeBigUInt64LE(r.pick([0n, 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(n + 1 + r.int(100)), BigInt(r.int(n))]));
      return c;
    },
    (b, r) => {
      const c = Buffer.from(b);
      for (let i = 0; i < 1 + r.int(4) && c.length > 8; i++) c[8 + r.int(Math.min(n, c.length - 8))] ^= 1 << r.int(8);
      return c;
    },
    (_b, r) => {
      const h = structuredClone(header);
      poisonNumber(h, r);
      return withHeader(h);
    },
    (_b, r) => {
      const h = structuredClone(header);
      h[r.pick(names)].dtype = r.pick(['BF16', 'F16', 'I64', 'f32', '', 7, null]);
      return withHeader(h);
    },
    (_b, r) => {
      const h = structuredClone(header);
      h[r.pick(names)].shape = r.pick([[2 ** 40, 2 ** 40], [-1], [1.5], [2 ** 53], 'x', [[]], []]);
      return withHeader(h);
    },
    (_b, r) => {
      const h = structuredClone(header);
      const e = h[r.pick(names)];
      e.data_offsets = [e.data_offsets[1], e.data_offsets[0]];
      return withHeader(h);
    },
    (_b, r) => {
      const h = structuredClone(header);
      h[r.pick(names)].data_offsets = r.pick([[0, 4], [0, 2 ** 53], [-4, 0], [0], 'x']);
      return withHeader(h);
    },
    (_b, r) => {
      const h = structuredClone(header);
      h.__metadata__ = r.pick([[], 5, { a: 1 }, { a: null }, 'x']);
      return withHeader(h);
    },
    (b, r) => Buffer.concat([b, Buffer.alloc(1 + r.int(16), 0xff)]),
    (_b, r) => {
      const h = structuredClone(header);
      delete h[r.pick(names)];
      return withHeader(h);
    },
  ];

  return (caseSeed) => {
    const r = prng(caseSeed);
    let b = base;
    for (let i = 0, k = 1 + r.int(2); i < k; i++) b = r.pick(mutations)(b, r);
    try {
      decodeSafetensors(b, `case ${caseSeed}`);
      return 'ok';
    } catch (e) {
      if (e instanceof FathomError && e.code === 'IO') return 'error:IO';
      throw new Error(`safetensors fuzz case ${caseSeed}: unexpected ${e?.name}: ${e?.message}`, { cause: e });
    }
  };
}
