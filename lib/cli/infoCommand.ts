import { Command } from 'commander';

import { devices } from '../runtime/devices.js';
import { version } from '../runtime/version.js';
import { table } from './table.js';

/** `fathom info`: version, build, BLAS, threads and devices. */
export function infoCommand(): Command {
  return new Command('info')
    .description('print the version, the build and the devices')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const d = devices();
      if (o.json) {
        process.stdout.write(`${JSON.stringify({ version: version(), ...d })}\n`);
        return;
      }
      const rows: [string, string][] = [
        ['version', version()],
        ['build', d.cuda.compiled ? 'CPU + CUDA' : 'CPU only'],
        ['BLAS', d.cpu.blas],
        ['CPU threads', String(d.cpu.threads)],
        ['CUDA GEMM', d.cuda.compiled ? (d.cuda.cublas ? 'cuBLAS' : 'built-in tiled kernel') : '-'],
        ['CUDA', d.cuda.available ? `${d.cuda.devices.length} device(s)` : `unavailable: ${d.cuda.reason ?? ''}`],
        ...d.cuda.devices.map((g): [string, string] => [`GPU ${g.index}`, `${g.name}, ${(g.totalMemory / 2 ** 30).toFixed(1)} GiB`]),
      ];
      process.stdout.write(`${table(rows)}\n`);
    });
}
