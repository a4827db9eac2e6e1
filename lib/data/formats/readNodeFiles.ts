import { basename } from 'node:path';
import { DatasetError } from '../datasetError.js';
import { detectHeader } from '../io/detectHeader.js';
import { checkBudget, type LoadLimits } from '../io/limits.js';
import { readMaybeGzip } from '../io/readRegularFile.js';
import { ROWS_PER_STEP, type Steps } from '../io/steps.js';
import { TextTable } from '../io/TextTable.js';
import type { LoadDatasetOptions } from '../loadOptions.js';
import { toFeatures, toInt32, toMask } from './NdArray.js';
import type { NodeIds } from './NodeIds.js';
import { isNpy, parseNpy } from './parseNpy.js';

type Ctx = { o: LoadDatasetOptions; limits: LoadLimits; ids: NodeIds };

function* open(path: string, ctx: Ctx): Steps<{ label: string; buf: Buffer }> {
  const label = basename(path);
  return { label, buf: yield* readMaybeGzip(path, { label, maxBytes: ctx.limits.maxBytes }) };
}

function rowsOf(buf: Buffer): number {
  let lines = 1;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) lines++;
  return lines;
}

/**
 * Node features from a `.npy` of shape (N, F) or a CSV/TSV with one row of F numbers per node,
 * in node order; with string node ids the first column names the node. Non-finite values
 * are refused by row.
 *
 * @example
 * const { x, numFeatures, rows } = readFeatures('x.csv', ctx);
 */
export function* readFeatures(path: string, ctx: Ctx): Steps<{ x: Float32Array; numFeatures: number; rows: Int32Array | null }> {
  const { label, buf } = yield* open(path, ctx);
  if (isNpy(buf)) {
    const a = parseNpy(buf, label, ctx.limits);
    return { x: toFeatures(a, label), numFeatures: a.shape.length === 2 ? a.shape[1]! : 1, rows: null };
  }
  const header = detectHeader(buf, label, ctx.o.header ?? 'auto');
  const keyed = ctx.ids.kind === 'string';
  const t = new TextTable(buf, label);
  if (header) t.next();
  const lines = rowsOf(buf);
  let width = -1;
  let x = new Float32Array(0);
  const rows = keyed ? new Int32Array(lines) : null;
  let r = 0;
  while (t.next()) {
    const first = keyed ? 1 : 0;
    if (width < 0) {
      width = t.width - first;
      if (width < 1) throw t.error('expected at least one feature column');
      checkBudget(label, { [`features (${lines} lines x ${width} x 4)`]: 4 * lines * width }, ctx.limits);
      x = new Float32Array(lines * width);
    }
    if (t.width - first !== width) throw t.error(`expected ${width + first} columns, got ${t.width}`);
    if (rows) rows[r] = ctx.ids.read(t, 0, true);
    for (let c = 0; c < width; c++) {
      const v = t.num(first + c);
      if (!Number.isFinite(v) || !Number.isFinite(Math.fround(v))) {
        if (!t.isNumber(first + c)) throw t.error(`column ${first + c + 1} is '${t.text(first + c)}', not a number`);
        throw new DatasetError('EDATA', `loadDataset: ${label}:${t.line}: feature ${c} is ${t.text(first + c)}; features must be finite (float32)`);
      }
      x[r * width + c] = v;
    }
    r++;
    // A checkpoint every ROWS_PER_STEP values, whatever the width: a few ms of parsing.
    if (r % Math.max(1, Math.floor(ROWS_PER_STEP / width)) === 0) yield;
    if (ctx.o.onProgress && r % 200_000 === 0) ctx.o.onProgress(`${label}: ${r} feature rows read (${Math.round(100 * t.progress)} %)`);
  }
  if (width < 0) throw new DatasetError('EFORMAT', `loadDataset: ${label}: the file holds no feature rows`);
  return { x: x.subarray(0, r * width), numFeatures: width, rows: rows?.subarray(0, r) ?? null };
}

/**
 * Labels from a `.npy` of shape (N,) or a CSV/TSV with one label per line (node order) or
 * `id,label` lines. Labels that are all non-negative integers are class ids; otherwise they
 * are class names, numbered in sorted order.
 *
 * @example
 * const { y, classNames } = readLabels('y.csv', ctx);
 */
export function* readLabels(path: string, ctx: Ctx): Steps<{ values: Int32Array; rows: Int32Array | null; classNames: string[] | null }> {
  const { label, buf } = yield* open(path, ctx);
  if (isNpy(buf)) {
    const a = parseNpy(buf, label, ctx.limits);
    if (a.shape.length !== 1 && !(a.shape.length === 2 && a.shape[1] === 1)) {
      throw new DatasetError('EFORMAT', `loadDataset: ${label}: labels must have shape (num_nodes,); got (${a.shape.join(', ')})`);
    }
    const values = toInt32(a, label);
    const bad = values.findIndex((v) => v < 0);
    if (bad >= 0) throw new DatasetError('EDATA', `loadDataset: ${label}: node ${bad} has label ${values[bad]}; labels must be ≥ 0`);
    return { values, rows: null, classNames: null };
  }
  const header = detectHeader(buf, label, ctx.o.header ?? 'auto');
  const t = new TextTable(buf, label);
  if (header) t.next();
  const lines = rowsOf(buf);
  checkBudget(label, { [`labels (${lines} lines)`]: 8 * lines }, ctx.limits);
  const texts: string[] = [];
  const lineOf: number[] = [];
  let rows: Int32Array | null = null;
  let width = -1;
  while (t.next()) {
    if (width < 0) {
      width = t.width;
      if (width !== 1 && width !== 2) throw t.error(`expected 1 column (label) or 2 (node id, label), got ${width}`);
      if (width === 2) rows = new Int32Array(lines);
    }
    if (t.width !== width) throw t.error(`expected ${width} columns, got ${t.width}`);
    if (rows) rows[texts.length] = ctx.ids.read(t, 0, true);
    texts.push(t.text(width - 1));
    lineOf.push(t.line);
    if (lineOf.length % ROWS_PER_STEP === 0) yield;
  }
  if (width < 0) throw new DatasetError('EFORMAT', `loadDataset: ${label}: the file holds no labels`);
  // A missing label (empty, nan) or a negative one (-1 often marks "unlabeled") would otherwise
  // become a class name of its own: refuse it by line.
  const bad = texts.findIndex((s) => s === '' || /^[+-]?nan$/i.test(s) || /^-\d+(\.0*)?$/.test(s));
  if (bad >= 0) {
    throw new DatasetError('EDATA', `loadDataset: ${label}:${lineOf[bad]}: label '${texts[bad]}' is missing or negative; every node needs a class ≥ 0`);
  }
  const numeric = texts.every((s) => /^\+?\d+(\.0*)?$/.test(s));
  const values = new Int32Array(texts.length);
  let classNames: string[] | null = null;
  if (numeric) {
    for (let i = 0; i < texts.length; i++) {
      const v = Number(texts[i]);
      if (v > 0x7fffffff) throw new DatasetError('EDATA', `loadDataset: ${label}: label ${texts[i]} is too large for a class id`);
      values[i] = v;
    }
  } else {
    classNames = [...new Set(texts)].sort();
    const index = new Map(classNames.map((c, i) => [c, i]));
    for (let i = 0; i < texts.length; i++) values[i] = index.get(texts[i]!)!;
  }
  return { values, rows: rows?.subarray(0, texts.length) ?? null, classNames };
}

/**
 * A mask of `n` nodes from a `.npy` of bools (shape (N,) or (N, splits)), or a CSV/TSV that is
 * either N lines of 0/1 or a list of node ids.
 *
 * @example
 * const train = readMask('train.csv', ctx, numNodes, 0);
 */
export function* readMask(path: string, ctx: Ctx, n: number, split: number): Steps<Uint8Array> {
  const { label, buf } = yield* open(path, ctx);
  if (isNpy(buf)) return toMask(parseNpy(buf, label, ctx.limits), label, n, split).mask;
  const header = detectHeader(buf, label, ctx.o.header ?? 'auto');
  const values: string[] = [];
  const lineOf: number[] = [];
  const t = new TextTable(buf, label);
  if (header) t.next();
  while (t.next()) {
    if (t.width !== 1) throw t.error(`expected 1 column (a 0/1 flag or a node id), got ${t.width}`);
    values.push(t.text(0));
    lineOf.push(t.line);
    if (lineOf.length % ROWS_PER_STEP === 0) yield;
  }
  const mask = new Uint8Array(n);
  if (values.length === n && values.every((v) => v === '0' || v === '1' || v === 'True' || v === 'False')) {
    for (let i = 0; i < n; i++) mask[i] = values[i] === '1' || values[i] === 'True' ? 1 : 0;
    return mask;
  }
  const ids = ctx.ids;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = `loadDataset: ${label}:${lineOf[i]}:`;
    const idx = ids.kind === 'string' ? ids.indexOf(v, false) : /^\d+$/.test(v) ? Number(v) - ids.base : -1;
    if (idx < 0 || idx >= n)
      throw new DatasetError('EFORMAT', `${at} '${v}' is not a node of the graph (${n} nodes${ids.kind === 'integer' ? `, ids ${ids.base}-based` : ''})`);
    mask[idx] = 1;
  }
  return mask;
}
