// The PyTorch Geometric side of compare-cuda.bench.mjs (bench/reference/gpu_cases.py --impl pyg)
// where PyG itself is not installed: a stand-in `torch_geometric` with the same entry points
// (GCNConv, GATConv, MessagePassing, gcn_norm, utils.spmm), written by this test into a temp
// folder, runs every case on an exported graph. What it checks is the benchmark's own code around
// PyG: which arrays go where (source and target of the edge list, the gcn values in CSR order),
// that each path runs and reports, and that both SpMM paths compute the plain-torch mirror's
// P X. Skipped without a Python that imports torch.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import * as F from '../../lib/index.js';
import { REPO_ROOT } from '../helpers/apiFixtures.js';

const python = process.env.FATHOM_BENCH_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'fathom-pyg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// PyG's semantics for what the benchmark calls, in plain torch: messages flow from edge_index[0]
// to edge_index[1]; GCNConv = lin, then (normalized, self loops added, cached) propagation;
// a torch sparse adjacency is multiplied as adj_t @ x.
const STAND_IN: Record<string, string> = {
  '__init__.py': '__version__ = "stand-in"\n',
  'utils/__init__.py': `import torch
def spmm(src, other, reduce="sum"):
    assert reduce == "sum"
    return torch.sparse.mm(src, other)
`,
  'nn/conv/__init__.py': '',
  'nn/conv/gcn_conv.py': `import torch
def gcn_norm(edge_index, edge_weight=None, num_nodes=None, improved=False, add_self_loops=True):
    loops = torch.arange(num_nodes)
    ei = torch.cat([edge_index, torch.stack([loops, loops])], 1) if add_self_loops else edge_index
    deg = torch.zeros(num_nodes).index_add_(0, ei[1], torch.ones(ei.size(1)))
    dis = deg.pow(-0.5)
    return ei, dis[ei[0]] * dis[ei[1]]
`,
  'nn/__init__.py': `import inspect
import torch
from .conv.gcn_conv import gcn_norm

class MessagePassing(torch.nn.Module):
    def __init__(self, aggr="add"):
        super().__init__()
    def propagate(self, edge_index, x, **kw):
        if edge_index.layout != torch.strided:
            return torch.sparse.mm(edge_index, x)
        args = {"x_j": x[edge_index[0]], **kw}
        m = self.message(**{k: args[k] for k in inspect.signature(self.message).parameters})
        return torch.zeros(x.size(0), *m.shape[1:]).index_add_(0, edge_index[1], m)
    def message(self, x_j, edge_weight=None):
        return x_j if edge_weight is None else edge_weight.view(-1, 1) * x_j

class GCNConv(MessagePassing):
    def __init__(self, i, o, cached=False, normalize=True, bias=True):
        super().__init__()
        self.lin = torch.nn.Linear(i, o, bias=False)
        self.bias = torch.nn.Parameter(torch.zeros(o)) if bias else None
        self.normalize, self.cache = normalize, None
    def forward(self, x, edge_index, edge_weight=None):
        if self.normalize:
            if self.cache is None:
                self.cache = gcn_norm(edge_index, None, x.size(0))
            edge_index, edge_weight = self.cache
        out = self.propagate(edge_index, x=self.lin(x), edge_weight=edge_weight)
        return out if self.bias is None else out + self.bias

class GATConv(MessagePassing):
    def __init__(self, i, o, heads=1, concat=True, dropout=0.0, bias=True):
        super().__init__()
        self.lin = torch.nn.Linear(i, heads * o, bias=False)
        self.h, self.o, self.concat = heads, o, concat
    def forward(self, x, edge_index):
        n = x.size(0)
        loops = torch.arange(n)
        ei = torch.cat([edge_index, torch.stack([loops, loops])], 1)
        xs = self.lin(x).view(n, self.h, self.o)
        out = torch.zeros(n, self.h, self.o).index_add_(0, ei[1], xs[ei[0]])
        return out.reshape(n, -1) if self.concat else out.mean(1)
`,
};

interface CaseRecord {
  error?: string;
  times_ms?: number[];
  loss_first?: number;
  checksum?: number;
  variants?: Record<string, { checksum?: number }>;
}
interface SideRecord {
  torch_geometric?: string;
  cases: Record<string, CaseRecord>;
}

/** Runs gpu_cases.py on `dir`; its last JSON line. */
function runSide(impl: string, dir: string, env: NodeJS.ProcessEnv): SideRecord {
  const args = [join(REPO_ROOT, 'bench', 'reference', 'gpu_cases.py'), '--impl', impl, '--device', 'cpu', '--graph', dir];
  const cases = ['--case', 'spmm:16,spmm:32,gcn,gat,resgcn', '--depth', '3', '--hidden', '8', '--repeats', '1', '--warmup', '0', '--threads', '1'];
  const stdout = execFileSync(python, [...args, ...cases], { env, encoding: 'utf8', timeout: 100_000 });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

describe.skipIf(!hasTorch)(`gpu_cases.py --impl pyg${hasTorch ? '' : ` (skipped: ${python} cannot import torch)`}`, () => {
  it('runs every case through the PyG paths and computes the reference P X on both SpMM paths', async () => {
    const { prepareGraph } = await import('../../bench/lib/graphs.mjs');
    const kit = join(tmp, 'site');
    for (const [file, text] of Object.entries(STAND_IN)) {
      mkdirSync(join(kit, 'torch_geometric', file, '..'), { recursive: true });
      writeFileSync(join(kit, 'torch_geometric', file), text);
    }
    process.env.FATHOM_BENCH_CACHE = join(tmp, 'graphs');
    // The library's sources stand in for dist/, which the helper is typed against: same API.
    const lib = F as unknown as Parameters<typeof prepareGraph>[0];
    const dir = prepareGraph(lib, { rmat: { nodes: 300, edges: 2400, features: 16, classes: 4, seed: 3 } });
    const env = { ...process.env, PYTHONPATH: kit, OMP_NUM_THREADS: '1' };
    const pyg = runSide('pyg', dir, env);
    const ref = runSide('torch', dir, env);
    expect(pyg.torch_geometric).toBe('stand-in');
    const sum = (r: SideRecord, spec: string) => r.cases[spec]?.checksum ?? Number.NaN;
    for (const spec of ['spmm:16', 'spmm:32']) {
      const variants = pyg.cases[spec]?.variants ?? {};
      expect(Object.keys(variants).sort()).toEqual(['message_passing', 'utils_spmm_csr']);
      for (const v of Object.values(variants)) {
        // Gather-scatter over the edge list and CSR SpMM give the mirror's sum of |P X| to f32 rounding.
        expect(Math.abs((v.checksum ?? Number.NaN) - sum(ref, spec)) / sum(ref, spec)).toBeLessThan(1e-5);
      }
    }
    // F = 32 repeats each row of the 16 features: twice the F = 16 sum.
    expect(sum(pyg, 'spmm:32') / sum(pyg, 'spmm:16')).toBeCloseTo(2, 5);
    for (const spec of ['gcn', 'gat', 'resgcn']) {
      const c = pyg.cases[spec] ?? {};
      expect(c.error, `${spec}: ${c.error}`).toBeUndefined();
      expect(c.times_ms).toHaveLength(1);
      expect(Number.isFinite(c.loss_first)).toBe(true);
    }
    expect(Object.keys(pyg.cases.gcn?.variants ?? {}).sort()).toEqual(['adj_t_csr', 'edge_index_cached']);
    expect(Object.keys(pyg.cases.resgcn?.variants ?? {}).sort()).toEqual(['adj_t_csr', 'edge_index_gcn_norm']);
  });
});
