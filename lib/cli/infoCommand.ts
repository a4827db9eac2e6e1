import { Command } from 'commander';

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

/** `fathom info`: version, build, BLAS, threads, devices, and whether MPI (data-parallel training) and METIS (partition batches) are there. */
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
        ['METIS', metis.available ? `${metis.library} (${metis.idxBits}-bit idx_t)` : `unavailable: ${metis.reason ?? ''}`],
      ];
      emitSummary({ text: table(rows), summary: { version: version(), git_commit: commit, ...d, mpi, metis }, json, command: 'info' });
    });
}
