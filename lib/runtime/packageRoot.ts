import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `name` in Fathom's package.json; the walk stops at the folder that has it. */
export const PACKAGE_NAME = 'fathom-gnn';

let cachedRoot: string | undefined;

/**
 * Finds the root folder of the installed `fathom-gnn` package (the folder
 * whose package.json has `"name": "fathom-gnn"`), so bundled files such as
 * `datasets/` can be found wherever the code runs from.
 *
 * With `startDir`, walks up from there. Without it, walks up from the folder
 * of this module's own file, then from `process.cwd()` (also looking into
 * `node_modules/fathom-gnn` at each level), and caches the answer.
 *
 * How "this module's own file" is found, without `import.meta`: the same
 * source is compiled to ESM and to CJS, and `import.meta` does not compile
 * to CJS while `__dirname` does not exist in ESM.
 * - CJS build, and vitest (vite-node passes `__dirname` to every module):
 *   `__dirname`, probed with `typeof` so ESM does not throw a ReferenceError.
 * - ESM build: V8's structured stack trace (`Error.prepareStackTrace`) gives
 *   the `file://` URL of the function that is running, i.e. this file.
 * - Bundled into one file somewhere else, or run from a string: neither
 *   location is inside the package, so the `process.cwd()` walk is the
 *   fallback. `FATHOM_DATASETS_DIR` (see `datasetsDir`) overrides it all.
 *
 * @throws Error listing the folders it searched when no root is found.
 * @example
 * ```ts
 * const root = findPackageRoot();            // e.g. /work/main
 * const data = join(root, 'datasets');
 * ```
 */
export function findPackageRoot(startDir?: string): string {
  if (startDir !== undefined) {
    const found = walkUp(resolve(startDir), false);
    if (found === undefined) throw notFound([resolve(startDir)]);
    return found;
  }
  if (cachedRoot !== undefined) return cachedRoot;
  const starts: string[] = [];
  const own = ownDirectory();
  if (own !== undefined) starts.push(own);
  starts.push(process.cwd());
  for (const start of starts) {
    // Only the cwd walk may look into node_modules: from our own file, a
    // node_modules/fathom-gnn further up would be some other copy.
    const found = walkUp(start, start !== own);
    if (found !== undefined) {
      cachedRoot = found;
      return found;
    }
  }
  throw notFound(starts);
}

function walkUp(start: string, lookInNodeModules: boolean): string | undefined {
  let dir = start;
  for (;;) {
    if (isFathomPackage(dir)) return dir;
    if (lookInNodeModules) {
      const installed = join(dir, 'node_modules', PACKAGE_NAME);
      if (isFathomPackage(installed)) return installed;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFathomPackage(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof pkg === 'object' && pkg !== null && (pkg as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    // An unreadable or malformed package.json belongs to some other project; keep walking.
    return false;
  }
}

function ownDirectory(): string | undefined {
  if (typeof __dirname === 'string') return __dirname;
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = 1;
    Error.prepareStackTrace = (_err, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[] | undefined;
    const file = Array.isArray(frames) ? frames[0]?.getFileName() : undefined;
    if (typeof file !== 'string' || file === '') return undefined;
    if (file.startsWith('file:')) return dirname(fileURLToPath(file));
    return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) ? dirname(file) : undefined;
  } catch {
    return undefined;
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}

function notFound(searched: string[]): Error {
  return new Error(
    `findPackageRoot: no package.json with "name": "${PACKAGE_NAME}" in ${searched.join(' or ')} ` +
      'or any parent folder; set FATHOM_DATASETS_DIR to the datasets folder instead',
  );
}
