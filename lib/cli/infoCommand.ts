import { Command } from 'commander';

import type { NcclInfo } from '../binding/types.js';
import { mpiStatus } from '../distributed/runtime.js';
import { cudaGemm } from '../runtime/cudaGemm.js';
import { devices } from '../runtime/devices.js';
import { metisStatus } from '../sampling/metisParts.js';
import { gitCommit } from '../runtime/gitCommit.js';
import { findPackageRoot } from '../runtime/packageRoot.js';
import { version } from '../runtime/version.js';
import { checkOutputs } from './outputPaths.js';
import { emitSummary, jsonTarget } from './summaryOutput.js';
import { table } from './table.js';

function ncclRow(n: NcclInfo): string {
  if (!n.available) return `unavailable: ${n.reason ?? ''}`;
  // NCCL_VERSION_CODE: 10000·major + 100·minor + patch since 2.9, 1000·major + 100·minor + patch before.
  const major = n.version >= 10000 ? Math.floor(n.version / 10000) : Math.floor(n.version / 1000);
  const minor = n.version >= 10000 ? Math.floor(n.version / 100) % 100 : Math.floor(n.version / 100) % 10;
  const v = n.version ? ` ${major}.${minor}.${n.version % 100}` : '';
  return `NCCL${v} (${n.library}); CUDA tensors' collectives use it when every rank has it and a GPU`;
}

/** `fathom info`: version, build, BLAS, threads, devices, and whether MPI (data-parallel training), NCCL (GPU collectives) and METIS (partition batches) are there. */
export function infoCommand(): Command {
  return new Command('info')
    .description('print the version, the build and the devices')
    .option('--json [file|-]', 'write the same as JSON to a file, or to stdout (- or no value)')
    .action((o: { json?: string | boolean }) => {
      const json = jsonTarget(o.json);
      checkOutputs('info', { files: { '--json': json } });
      const d = devices();
      const commit = gitCommit(findPackageRoot());
      const mpi = mpiStatus();
      const metis = metisStatus();
      const rows: [string, string][] = [
        ['version', version()],
        ['commit', commit ?? '-'],
        ['build', d.cuda.compiled ? 'CPU + CUDA' : 'CPU only'],
        ['BLAS', d.cpu.blas],
        ['CPU threads', String(d.cpu.threads)],
        ['CUDA GEMM', cudaGemm(d.cuda)],
        ['CUDA', d.cuda.available ? `${d.cuda.devices.length} device(s)` : `unavailable: ${d.cuda.reason ?? ''}`],
        ...d.cuda.devices.map((g): [string, string] => [`GPU ${g.index}`, `${g.name}, ${(g.totalMemory / 2 ** 30).toFixed(1)} GiB`]),
        ['MPI', mpi.available ? `Open MPI (${mpi.library})` : `unavailable: ${mpi.reason ?? ''}`],
        ['NCCL', ncclRow(mpi.nccl)],
        ['METIS', metis.available ? `${metis.library} (${metis.idxBits}-bit idx_t)` : `unavailable: ${metis.reason ?? ''}`],
      ];
      emitSummary({ text: table(rows), summary: { version: version(), git_commit: commit, ...d, mpi, metis }, json, command: 'info' });
    });
}
