import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { FathomError, type FathomErrorCode } from '../errors/FathomError.js';
import { findPackageRoot as packageRoot } from '../runtime/packageRoot.js';
import type { NativeBinding } from './types.js';

let binding: NativeBinding | undefined;

const CANDIDATES = ['build/Release/fathom.node', 'build/Debug/fathom.node'];

/**
 * The loaded addon. Loaded on first use so that importing Fathom never fails: the error,
 * when the addon was not built, says how to build it.
 */
export function native(): NativeBinding {
  if (binding) return binding;
  const root = packageRoot();
  const path = CANDIDATES.map((c) => join(root, c)).find((p) => existsSync(p));
  if (!path) {
    throw new FathomError(
      `Fathom's native addon is not built (looked for ${CANDIDATES.join(', ')} under ${root}). ` +
        'Build it with `npm run build:native` inside the package, or, where npm 11 held back the install ' +
        'script, approve it with `npm install-scripts approve fathom-gnn` and run `npm rebuild fathom-gnn`.',
      'NOT_BUILT',
    );
  }
  const loaded = withPassiveOpenMpThreads(() => createRequire(join(root, 'package.json'))(path) as NativeBinding);
  loaded.setErrorClass(
    class extends FathomError {
      constructor(message: string, code: string) {
        super(message, code as FathomErrorCode);
      }
    },
  );
  binding = loaded;
  return loaded;
}

/**
 * Loads the addon with OpenMP's idle threads sleeping at once, unless the user chose a policy.
 * libgomp's default spins after every parallel region; on a machine with other work (a CI box,
 * a laptop, the Node process's own threads) the spinning threads take the cores the next region
 * needs: with one of two cores busy, a 64-block res-gcn step took 668 ms spinning and 219 ms
 * passive. Idle, passive costs a thread wake per parallel region, up to 2× on models made of
 * tiny ops (bench/README.md, "OpenMP wait policy"); OMP_WAIT_POLICY=active opts out. libgomp reads
 * the variable once, when it loads with the addon; it is removed again so that child processes
 * inherit the user's environment unchanged.
 */
function withPassiveOpenMpThreads<T>(load: () => T): T {
  const env = process.env;
  if (env.OMP_WAIT_POLICY !== undefined || env.GOMP_SPINCOUNT !== undefined) return load();
  env.OMP_WAIT_POLICY = 'passive';
  try {
    return load();
  } finally {
    delete env.OMP_WAIT_POLICY;
  }
}
