// A stand-in for libnccl.so.2 that exports NCCL 2's entry points (each failing) and
// ncclGetVersion (2.23.4), compiled with the machine's C compiler: it loads as NCCL does, so the
// tests reach the path where NCCL is found but, without a GPU, left unused.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The C compiler that builds the stand-in, or null (the tests that need it skip). */
export const CC: string | null = ['cc', 'gcc'].find((c) => spawnSync(c, ['--version']).status === 0) ?? null;

export const FAKE_NCCL_VERSION = 22304;

/** Compiles the stand-in into `dir` and returns its path. */
export function buildFakeNccl(dir: string): string {
  const lib = join(dir, 'libnccl-fake.so');
  const names = ['ncclGetUniqueId', 'ncclCommInitRank', 'ncclAllReduce', 'ncclBroadcast', 'ncclCommDestroy'];
  const source = [
    ...names.map((n) => `int ${n}(void) { return 1; }`),
    'const char* ncclGetErrorString(int r) { return "unhandled cuda error (a stand-in for NCCL)"; }',
    `int ncclGetVersion(int* v) { *v = ${FAKE_NCCL_VERSION}; return 0; }`,
    '',
  ].join('\n');
  writeFileSync(join(dir, 'fake-nccl.c'), source);
  const r = spawnSync(CC!, ['-shared', '-fPIC', '-o', lib, join(dir, 'fake-nccl.c')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`buildFakeNccl: ${CC} failed: ${r.stderr}`);
  return lib;
}
