// The per-kernel totals that bench/gpu/profile-kernels.mjs prints from Nsight Compute's raw CSV
// page, on a hand-written page in ncu's layout: a header row, a unit row, one row per launch,
// demangled names with commas and parentheses inside quotes.
import { describe, expect, it } from 'vitest';

import { kernelTotals, parseCsv, shortKernelName } from '../../bench/lib/ncuCsv.mjs';

const ROW = (id: number, name: string, value: string) => `"${id}","4242","node","host","${name}","1","7","(256, 1, 1)","(1024, 1, 1)","0","9.0","${value}"`;
const HEADER = '"ID","Process ID","Process Name","Host Name","Kernel Name","Context","Stream","Block Size","Grid Size","Device","CC","gpu__time_duration.sum"';
const SPMM =
  'void fathom::cuda::(anonymous namespace)::spmm_row_cached_kernel<32, 2, 1, false, float>(long, long, const int *, const int *, const float *, const float *, float *, float, float, const float *, bool, const float *, double, const float *, const long *, long)';
const GAT = 'void fathom::cuda::gat::node_forward_kernel<float, 2>(fathom::cuda::gat::NodeDims, const int *, const int *)';

describe('ncu raw CSV totals', () => {
  it('splits quoted fields that hold commas and doubled quotes', () => {
    expect(parseCsv('a,"b, c","say ""hi"""\r\n1,2,3\n')).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['1', '2', '3'],
    ]);
  });

  it('shortens a demangled kernel name to the function and its template arguments', () => {
    expect(shortKernelName(SPMM)).toBe('spmm_row_cached_kernel<32, 2, 1, false, float>');
    expect(shortKernelName(GAT)).toBe('node_forward_kernel<float, 2>');
    expect(shortKernelName('sgemm_128x64_nn')).toBe('sgemm_128x64_nn');
  });

  it('sums each kernel over its launches in the unit the unit row names, heaviest first', () => {
    const csv = [
      '==PROF== Disconnected from process 4242',
      HEADER,
      '"","","","","","","","","","","","usecond"',
      ROW(0, SPMM, '1,250.5'),
      ROW(1, GAT, '300'),
      ROW(2, SPMM, '749.5'),
      ROW(3, 'sgemm_128x64_nn', '50'),
      '',
    ].join('\n');
    const t = kernelTotals(csv);
    expect(t.launches).toBe(4);
    expect(t.total_ms).toBeCloseTo(2.35, 12);
    expect(t.kernels.map((k: { name: string }) => k.name)).toEqual([
      'spmm_row_cached_kernel<32, 2, 1, false, float>',
      'node_forward_kernel<float, 2>',
      'sgemm_128x64_nn',
    ]);
    expect(t.kernels[0]).toMatchObject({ launches: 2, total_ms: 2 });
    expect(t.kernels[0].share).toBeCloseTo(2 / 2.35, 12);
    expect(t.kernels[2]).toMatchObject({ launches: 1, total_ms: 0.05 });
  });

  it('reads durations as nanoseconds when there is no unit row', () => {
    const t = kernelTotals([HEADER, ROW(0, GAT, '2000000')].join('\n'));
    expect(t.total_ms).toBe(2);
  });

  it('says which column it could not find', () => {
    expect(() => kernelTotals('"ID","Kernel Name"\n"0","k"\n')).toThrow(/gpu__time_duration\.sum/);
  });
});
