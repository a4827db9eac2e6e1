import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';

import { FathomError, type FathomErrorCode } from '../errors/FathomError.js';
import { findPackageRoot as packageRoot } from '../runtime/packageRoot.js';
import { addonCandidates, currentTarget } from './addonCandidates.js';
import type { NativeBinding } from './types.js';

let binding: NativeBinding | undefined;
// A stand-in for the addon while a compiled step is traced (lib/compile/trace.ts).
let stand: NativeBinding | null = null;

/**
 * The loaded addon: a source build in the package, else the prebuilt one for this machine
 * (addonCandidates). Loaded on first use so that importing Fathom never fails: the error, when
 * no addon is there or it does not load, says how to build one.
 */
export function native(): NativeBinding {
  if (stand) return stand;
  if (binding) return binding;
  const root = packageRoot();
  const candidates = addonCandidates(root, currentTarget());
  const path = candidates.find((p) => existsSync(p));
  const rebuild = 'FATHOM_BUILD_FROM_SOURCE=1 npm rebuild fathom-gnn (needs CMake and a C++17 compiler)';
  if (!path) {
    throw new FathomError(
      `Fathom's native addon is not built (looked for ${candidates.map((c) => relative(root, c)).join(', ')} under ${root}). ` +
        `Build it with \`npm run build:native\` inside the package, or with ${rebuild}.`,
      'NOT_BUILT',
    );
  }
  let loaded: NativeBinding;
  try {
    loaded = withPassiveOpenMpThreads(() => createRequire(resolve(root, 'package.json'))(resolve(path)) as NativeBinding);
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw new FathomError(
      `Fathom's native addon ${relative(root, path)} does not load on this machine: ${why}. Build one from source with ${rebuild}.`,
      'NOT_BUILT',
    );
  }
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
 * @internal Runs `fn` with `proxy` answering native(): how a trace sees every op call. Not
 * reentrant: a trace inside a trace is refused.
 */
export function withNativeStandIn<T>(proxy: NativeBinding, fn: () => T): T {
  if (stand) throw new Error('withNativeStandIn: a trace is already running');
  stand = proxy;
  try {
    return fn();
  } finally {
    stand = null;
  }
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
