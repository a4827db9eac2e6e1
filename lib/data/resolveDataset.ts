import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { DatasetError } from './datasetError.js';
import { datasetsDir } from './datasetsDir.js';

/** Where a dataset name or path points. */
export interface ResolvedDataset {
  /** Bundled name (`'cora'`) or the folder's base name. */
  name: string;
  /** Absolute folder path. */
  directory: string;
  /** True when the folder is one of the bundled datasets. */
  bundled: boolean;
  /** Absolute path of the file, when the argument names a file (an edge list, `.npy`, `.npz`) rather than a folder. */
  file?: string;
}

/**
 * Turns the argument of `loadDataset` into a folder.
 *
 * A bare word is a bundled dataset name, matched case-insensitively
 * (`'cora'`, `'PubMed'`). Anything with a path separator, `.`/`..`, an
 * absolute path, or a bare word that is not a bundled name but is an existing
 * folder or file, is a path. A path to a file (an edge list, `.npy`, `.npz`) resolves to
 * its folder with `file` set. Bundled names win over same-named folders in the
 * working directory; write `./cora` to mean the folder.
 *
 * @throws RangeError for an unknown name, listing the available ones.
 * @throws DatasetError (`ENOENT`) for a path that does not exist.
 * @example
 * ```ts
 * resolveDataset('Cora');            // { name: 'cora', directory: '.../datasets/cora', bundled: true }
 * resolveDataset('./data/my-graph'); // { name: 'my-graph', directory: '/abs/data/my-graph', bundled: false }
 * ```
 */
export function resolveDataset(nameOrPath: string): ResolvedDataset {
  if (typeof nameOrPath !== 'string' || nameOrPath.trim() === '') {
    throw new TypeError(`loadDataset: expected a dataset name or folder path, got ${JSON.stringify(nameOrPath)}`);
  }
  const looksLikePath = /[\\/]/.test(nameOrPath) || nameOrPath === '.' || nameOrPath === '..' || isAbsolute(nameOrPath);
  if (!looksLikePath) {
    const root = datasetsDir();
    const names = bundledNames(root);
    const match = names.find((n) => n.toLowerCase() === nameOrPath.toLowerCase());
    if (match !== undefined) return { name: match, directory: join(root, match), bundled: true };
    if (!existsSync(nameOrPath)) {
      const available = names.length > 0 ? `available: ${names.join(', ')}` : `no bundled datasets found in ${root}`;
      throw new RangeError(`loadDataset: unknown dataset '${nameOrPath}' (${available}); to load a folder, pass a path such as './${nameOrPath}'`);
    }
  }
  const directory = resolve(nameOrPath);
  if (!existsSync(directory)) {
    throw new DatasetError('ENOENT', `loadDataset: ${/\.[a-z0-9]+$/i.test(directory) ? 'file' : 'folder'} ${directory} is missing`, { path: directory });
  }
  if (!isDirectory(directory)) {
    const name = basename(directory)
      .replace(/(\.gz)?$/, '')
      .replace(/\.[^.]*$/, '');
    return { name, directory: dirname(directory), bundled: false, file: directory };
  }
  return { name: basename(directory), directory, bundled: false };
}

/** Sub-folders of `root` that hold a meta.json, plus every name in index.json (sorted, unique). */
function bundledNames(root: string): string[] {
  const names = new Set<string>();
  try {
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(join(root, entry.name, 'meta.json'))) names.add(entry.name);
    }
  } catch {
    return [];
  }
  try {
    const index: unknown = JSON.parse(readFileSync(join(root, 'index.json'), 'utf8'));
    const list = (index as { datasets?: unknown }).datasets;
    // Listed but absent folders stay in, so loading them reports the missing path.
    if (Array.isArray(list)) {
      for (const d of list) if (typeof d?.name === 'string' && !/[\\/]/.test(d.name)) names.add(d.name);
    }
  } catch {
    // index.json is optional for resolving names; listDatasets reports it when broken.
  }
  return [...names].sort();
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
