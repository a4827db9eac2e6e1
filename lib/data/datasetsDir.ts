import { join, resolve } from 'node:path';
import { findPackageRoot } from '../runtime/packageRoot.js';

/** Environment variable that points Fathom at another datasets folder. */
export const DATASETS_DIR_ENV = 'FATHOM_DATASETS_DIR';

/**
 * Absolute path of the folder that bare dataset names (`'cora'`) load from:
 * `$FATHOM_DATASETS_DIR` when set, otherwise `datasets/` in the package root
 * (see {@link findPackageRoot} for how that is found from ESM, CJS and
 * vitest alike). The folder is not checked for existence here; the loader
 * reports a missing folder with the path it expected.
 *
 * @example
 * ```ts
 * datasetsDir();   // '/path/to/node_modules/fathom-gnn/datasets'
 * ```
 */
export function datasetsDir(): string {
  const override = process.env[DATASETS_DIR_ENV];
  if (override !== undefined && override !== '') return resolve(override);
  return join(findPackageRoot(), 'datasets');
}
