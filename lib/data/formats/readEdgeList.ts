import { basename } from 'node:path';
import { detectHeader } from '../io/detectHeader.js';
import { checkBudget, type LoadLimits } from '../io/limits.js';
import { readMaybeGzip } from '../io/readRegularFile.js';
import { ROWS_PER_STEP, type Steps } from '../io/steps.js';
import { delimiterName, TextTable } from '../io/TextTable.js';
import type { LoadDatasetOptions } from '../loadOptions.js';
import { NodeIds } from './NodeIds.js';

/** An edge list as read: `[2, E]` indices, how ids map to them, and what was detected. */
export interface EdgeListFile {
  edgeIndex: Int32Array;
  ids: NodeIds;
  /** Largest index + 1. */
  numNodes: number;
  notes: string[];
}

/**
 * Reads an edge list: CSV, TSV, semicolon- or whitespace-separated (detected), optionally
 * gzip'ed, with an optional header line, `#`/`%` comment lines, and two columns per line
 * (source, target). Ids are integers, 0- or 1-based (1 when the smallest id is 1, unless
 * `indexBase` says), or strings, numbered in order of first appearance. The line count is
 * checked against the memory budget before the arrays are allocated.
 *
 * @throws DatasetError `EFORMAT` naming file and line (`edges.csv:17: expected 2 columns, got 3`).
 * @example
 * const { edgeIndex, ids, numNodes } = runSync(readEdgeList('edges.csv', {}, limits));
 */
export function* readEdgeList(path: string, o: LoadDatasetOptions, limits: LoadLimits): Steps<EdgeListFile> {
  const label = basename(path);
  const buf = yield* readMaybeGzip(path, { label, maxBytes: limits.maxBytes });
  const header = detectHeader(buf, label, o.header ?? 'auto');
  let lines = 1;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) lines++;
  checkBudget(label, { [`edge_index (2 x ${lines} lines x 4)`]: 8 * lines, 'sorting scratch': 16 * lines }, limits);

  const t = new TextTable(buf, label);
  if (header) t.next();
  const src = new Int32Array(lines);
  const dst = new Int32Array(lines);
  let ids: NodeIds | null = null;
  const forced = o.indexBase ?? 'auto';
  let e = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = -1;
  let lastReport = 0;
  while (t.next()) {
    if (t.width !== 2) throw t.error(`expected 2 columns, got ${t.width}`);
    if (ids === null) {
      const integers = !Number.isNaN(t.int(0)) && !Number.isNaN(t.int(1));
      ids = integers ? NodeIds.integers(forced === 'auto' ? 0 : forced) : NodeIds.strings();
    }
    const s = ids.read(t, 0, true);
    const d = ids.read(t, 1, true);
    src[e] = s;
    dst[e] = d;
    e++;
    if (e % ROWS_PER_STEP === 0) yield;
    if (ids.kind === 'integer') {
      if (s < min) min = s;
      if (d < min) min = d;
      if (s > max) max = s;
      if (d > max) max = d;
    }
    if (o.onProgress && e - lastReport >= 1_000_000) {
      lastReport = e;
      o.onProgress(`${label}: ${e} edges read (${Math.round(100 * t.progress)} %)`);
    }
  }
  if (ids === null) throw t.error('the file holds no edges');

  const notes = [`${delimiterName(t.delimiter)}-separated`, header ? 'header line' : 'no header'];
  let numNodes: number;
  if (ids.kind === 'string') {
    numNodes = ids.count;
    notes.push('string ids (mapping in nodeIds)');
  } else {
    // Ids were read 0-based; a 1-based file is shifted down once its smallest id is known.
    let base = forced === 'auto' ? 0 : forced;
    if (forced === 'auto' && min === 1) {
      base = 1;
      for (let i = 0; i < e; i++) {
        src[i]!--;
        dst[i]!--;
      }
      ids = NodeIds.integers(1);
    }
    numNodes = max + 1 - (forced === 'auto' ? base : 0);
    notes.push(`ids ${base}-based${forced === 'auto' ? ' (detected)' : ''}`);
  }
  const edgeIndex = new Int32Array(2 * e);
  edgeIndex.set(src.subarray(0, e));
  edgeIndex.set(dst.subarray(0, e), e);
  return { edgeIndex, ids, numNodes, notes };
}
