import { closeSync, existsSync, lstatSync, openSync, readSync, constants } from 'node:fs';
import { join } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { DatasetError } from '../datasetError.js';
import { checkRegularFile } from '../io/readRegularFile.js';
import { isNpy } from './parseNpy.js';
import { ACCEPTED_FORMATS, type DatasetFormat } from './RawGraph.js';
import { isOgbFolder } from './readOgb.js';
import { isZip } from './readZip.js';

/**
 * Which reader takes a path: a folder with meta.json is Fathom's format and one with
 * `raw/edge.csv.gz` is OGB's; a file is recognised by its first bytes (`\x93NUMPY`, a zip
 * header, text of delimited fields, gzip'ed or not), its extension only breaking ties.
 *
 * @throws DatasetError `EFORMAT` listing the accepted formats when nothing matches.
 * @example
 * detectFormat('/data/edges.csv', true); // 'edge-list'
 */
export function detectFormat(path: string, isFile: boolean, label: string): DatasetFormat {
  if (!isFile) {
    if (existsSync(join(path, 'meta.json')) || isSymlink(join(path, 'meta.json'))) return 'folder';
    if (isOgbFolder(path)) return 'ogb';
    throw new DatasetError(
      'ENOENT',
      `loadDataset: ${label}/meta.json is missing (expected at ${join(path, 'meta.json')}), and the folder is in no other format Fathom reads. ` +
        `Accepted: ${ACCEPTED_FORMATS}`,
      { path },
    );
  }
  checkRegularFile(path, { label, maxBytes: Number.MAX_SAFE_INTEGER });
  let head = readHead(path);
  if (isNpy(head)) return 'npy';
  if (isZip(head)) return 'npz';
  // The first 4 KB of a gzip stream inflate to at most ~4 MB (deflate's ratio is below 1032:1).
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      head = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 8 << 20 });
    } catch {
      head = Buffer.alloc(0);
    }
  }
  if (looksLikeText(head)) return 'edge-list';
  throw new DatasetError('EFORMAT', `loadDataset: ${label} is in no format Fathom reads. Accepted: ${ACCEPTED_FORMATS}`, { path });
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

function readHead(path: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(4096);
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

/** Printable text whose first data line has at least two fields: what an edge list starts with. */
function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  for (const b of head) if (b === 0 || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return false;
  const line = head
    .toString('utf8')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#') && !l.startsWith('%'));
  return line !== undefined && line.split(/[,;\t ]+/).filter((f) => f !== '').length >= 2;
}
