import { join } from 'node:path';

/** The machine a prebuilt addon must match. `libc` only matters on Linux. */
export interface AddonTarget {
  platform: string;
  arch: string;
  libc: 'glibc' | 'musl' | null;
}

/**
 * The places the native addon may be, in the order they are tried: a source build in the package
 * (`npm run build:native`, or an install with FATHOM_BUILD_FROM_SOURCE=1 or without a matching
 * prebuild) wins over the prebuilt addon shipped in `prebuilds/<platform>-<arch>/`, since it was
 * made on purpose for this machine. Prebuilds are made for glibc: on musl only a source build fits.
 *
 * @example
 * addonCandidates('/app/node_modules/fathom-gnn', { platform: 'linux', arch: 'x64', libc: 'glibc' });
 * // build/Release/fathom.node, build/Debug/fathom.node, prebuilds/linux-x64/fathom.node (absolute)
 */
export function addonCandidates(root: string, target: AddonTarget): string[] {
  const paths = [join(root, 'build', 'Release', 'fathom.node'), join(root, 'build', 'Debug', 'fathom.node')];
  if (target.platform !== 'linux' || target.libc === 'glibc') {
    paths.push(join(root, 'prebuilds', `${target.platform}-${target.arch}`, 'fathom.node'));
  }
  return paths;
}

/** This process's platform, architecture and (on Linux) C library. */
export function currentTarget(): AddonTarget {
  let libc: AddonTarget['libc'] = null;
  if (process.platform === 'linux') {
    const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
    libc = header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
  return { platform: process.platform, arch: process.arch, libc };
}
