import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The path of the file this function was compiled into, for ESM and CommonJS builds alike. */
function thisFile(): string {
  // CommonJS (and vitest's module runner) define __filename; plain ESM does not, and
  // `import.meta` cannot appear in source that also compiles to CommonJS, so ESM reads the
  // file name of the current frame from V8's structured stack trace instead.
  if (typeof __filename === 'string') return __filename;
  const previous = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    const name = frames[0]?.getFileName() ?? '';
    return name.startsWith('file:') ? fileURLToPath(name) : name;
  } finally {
    Error.prepareStackTrace = previous;
  }
}

/**
 * The root folder of the installed fathom-gnn package (the one holding its package.json),
 * whether the code runs from `lib/` sources, `dist/esm` or `dist/cjs`.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(thisFile());
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'fathom-gnn') return (cached = dir);
      } catch {
        // an unreadable nested package.json (dist/cjs has one): keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`fathom: cannot find the fathom-gnn package root above ${thisFile()}`);
    dir = parent;
  }
}
