#!/usr/bin/env python3
"""PyTorch reference for bench/compare.bench.mjs and bench/depth-memory.bench.mjs.

Plain PyTorch (no PyG) twins of the Fathom models and ops the benchmarks time, on the graphs
bench/lib/graphs.mjs exports (edge list, features, labels, masks and Fathom's own gcn operator
in CSR by target), so both sides compute on identical arrays:

- spmm:   Y = P X with P the gcn operator D^-1/2 (A+I) D^-1/2, F = 64, f32.
- gcn:    Fathom's GCN: [dropout 0.5 -> GCNConv -> ReLU] x 1 -> dropout -> GCNConv, hidden 64,
          each conv applies P on the narrower side (as lib/nn/GCNConv.ts), Glorot weights, zero bias.
- resgcn: Fathom's ResGCN with fixup blocks (its default): dropout -> Linear F->h (no bias) ->
          L x [Z + (1/sqrt L) * P (ReLU(Z) W^T)] -> ReLU -> dropout -> Linear h->C, gnn-he init.
- gat:    Fathom's GAT, GATv1 as PyG's GATConv: [dropout 0.6 -> GATConv(8 heads x 8) -> ReLU] ->
          dropout -> GATConv(8 heads x C, averaged); attention over A + I; leaky ReLU 0.2;
          scatter softmax (max, exp, index_add); attention dropout 0.6; weighted scatter-add; no bias.

Training steps are forward, masked NLL loss, backward and Adam (lr 0.01, weight decay 5e-4, the
coupled L2 form Fathom's Adam uses too). The operator's transpose is built once and used by the
backward pass, as Fathom does.

Run as one case per process (the benchmark reads this process's peak RSS):
  /usr/bin/python3 bench/reference/torch_models.py --case gcn --graph DIR --repeats 5 --threads 2
Prints one JSON line on stdout. Without torch it prints {"skipped": ...} and exits 0.
"""
import argparse
import json
import math
import os
import resource
import sys
import time
import warnings

# torch 1.13 flags sparse CSR and scatter_reduce as beta on every call; the output is the JSON line.
warnings.filterwarnings("ignore", category=UserWarning)


def peak_rss_mb():
    # VmHWM, this process's own high-water mark: ru_maxrss would also count the parent's
    # resident set at fork (exec records it), which is the benchmark runner's, graphs and all.
    # The same counter as bench/lib/peakRss.mjs reads on the Node side.
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def skip(reason):
    sys.stderr.write(f"torch_models.py: skipped: {reason}\n")
    sys.stdout.write(json.dumps({"skipped": reason}) + "\n")
    sys.exit(0)


try:
    import numpy as np
    import torch
    import torch.nn.functional as TF
except ImportError as e:  # pragma: no cover - depends on the machine
    skip(f"PyTorch is not installed for {sys.executable} ({e}); install it with apt-get install -y python3-torch")


def load_graph(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    a = lambda name: np.load(os.path.join(d, name + ".npy"))
    g = {k: a(k) for k in ["edge_index", "x", "y", "train_mask", "val_mask", "test_mask", "gcn_rowptr", "gcn_col", "gcn_val"]}
    g["meta"] = meta
    return g


class Operator:
    """The gcn operator P (CSR by target) and its transpose, in the fastest format torch supports here."""

    def __init__(self, rowptr, col, val, n, fmt, device="cpu"):
        # Built on `device` from the start: on a GPU, coalescing 100M entries is its sort, not the CPU's.
        crow = torch.from_numpy(rowptr.astype(np.int64)).to(device)
        colt = torch.from_numpy(col.astype(np.int64)).to(device)
        vals = torch.from_numpy(val).to(device)
        rows = torch.repeat_interleave(torch.arange(n, device=device), crow[1:] - crow[:-1])
        coo = torch.sparse_coo_tensor(torch.stack([rows, colt]), vals, (n, n)).coalesce()
        coo_t = torch.sparse_coo_tensor(torch.stack([colt, rows]), vals, (n, n)).coalesce()
        self.fmt = fmt
        if fmt == "csr":
            # From the coalesced COO: torch's CSR needs distinct columns per row, and R-MAT keeps
            # duplicate edges (Fathom's CSR stores them as separate entries; the sums agree).
            self.fwd = coo.to_sparse_csr()
            self.bwd = coo_t.to_sparse_csr()
        else:
            self.fwd, self.bwd = coo, coo_t
        self.rows, self.cols = rows, colt  # target, source of every entry (self loops and duplicates kept)
        self.nnz_coalesced = coo._nnz()

    def mm(self, x):
        return _SpMM.apply(self, x)


class _SpMM(torch.autograd.Function):
    @staticmethod
    def forward(ctx, op, x):
        ctx.op = op
        return torch.sparse.mm(op.fwd, x)

    @staticmethod
    def backward(ctx, g):
        return None, torch.sparse.mm(ctx.op.bwd, g.contiguous())


def pick_format(g, n):
    """CSR when this torch build multiplies CSR on the CPU, else COO."""
    fmt = os.environ.get("FATHOM_TORCH_SPARSE", "")
    if fmt in ("csr", "coo"):
        return fmt
    try:
        crow = torch.tensor([0, 1, 2], dtype=torch.int64)
        a = torch.sparse_csr_tensor(crow, torch.tensor([1, 0]), torch.tensor([1.0, 2.0]), (2, 2))
        torch.sparse.mm(a, torch.ones(2, 3))
        return "csr"
    except Exception:
        return "coo"


def glorot(out_f, in_f):
    w = torch.empty(out_f, in_f)
    torch.nn.init.xavier_uniform_(w)
    return torch.nn.Parameter(w)


class GCNConv(torch.nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.i, self.o = i, o
        self.weight = glorot(o, i)
        self.bias = torch.nn.Parameter(torch.zeros(o))

    def forward(self, x, op):
        if self.o <= self.i:
            y = op.mm(x @ self.weight.t())
        else:
            y = op.mm(x) @ self.weight.t()
        return y + self.bias


class GCN(torch.nn.Module):
    def __init__(self, f, h, c, p=0.5):
        super().__init__()
        self.convs = torch.nn.ModuleList([GCNConv(f, h), GCNConv(h, c)])
        self.p = p

    def forward(self, x, op):
        for l, conv in enumerate(self.convs):
            x = conv(TF.dropout(x, self.p, self.training), op)
            if l < len(self.convs) - 1:
                x = torch.relu(x)
        return x


class ResGCN(torch.nn.Module):
    """Fixup blocks Z + beta/sqrt(L) * P(ReLU(Z) W^T), gnn-he init (std sqrt(2/h); encoder sqrt(1/F))."""

    def __init__(self, f, h, c, depth, p=0.5):
        super().__init__()
        self.encoder = torch.nn.Parameter(torch.randn(h, f) * math.sqrt(1.0 / f))
        self.blocks = torch.nn.ParameterList([torch.nn.Parameter(torch.randn(h, h) * math.sqrt(2.0 / h)) for _ in range(depth)])
        self.decoder = torch.nn.Parameter(torch.randn(c, h) * math.sqrt(2.0 / h))
        self.decoder_bias = torch.nn.Parameter(torch.zeros(c))
        self.scale = 1.0 / math.sqrt(depth)
        self.p = p

    def forward(self, x, op):
        z = TF.dropout(x, self.p, self.training) @ self.encoder.t()
        for w in self.blocks:
            z = z + self.scale * op.mm(torch.relu(z) @ w.t())
        return TF.dropout(torch.relu(z), self.p, self.training) @ self.decoder.t() + self.decoder_bias


class GATConv(torch.nn.Module):
    """GATv1 (PyG's GATConv without bias), over the edges (src -> dst) of A + I."""

    def __init__(self, i, o, heads, concat, p):
        super().__init__()
        self.heads, self.o, self.concat, self.p = heads, o, concat, p
        self.weight = glorot(heads * o, i)
        self.att_src = glorot(heads, o)
        self.att_dst = glorot(heads, o)

    def forward(self, x, src, dst, n):
        H, C = self.heads, self.o
        xs = (x @ self.weight.t()).view(-1, H, C)
        a_src = (xs * self.att_src).sum(-1)  # [N, H]
        a_dst = (xs * self.att_dst).sum(-1)
        e = TF.leaky_relu(a_src[src] + a_dst[dst], 0.2)  # [E, H]
        idx = dst.unsqueeze(1).expand(-1, H)
        like = dict(device=e.device, dtype=e.dtype)
        with torch.no_grad():
            m = torch.full((n, H), -math.inf, **like).scatter_reduce(0, idx, e, "amax", include_self=True)
        ex = torch.exp(e - m[dst])
        s = torch.zeros(n, H, **like).index_add_(0, dst, ex)
        alpha = ex / (s[dst] + 1e-16)
        alpha = TF.dropout(alpha, self.p, self.training)
        out = torch.zeros(n, H, C, **like).index_add_(0, dst, xs[src] * alpha.unsqueeze(-1))
        return out.reshape(n, H * C) if self.concat else out.mean(1)


class GAT(torch.nn.Module):
    def __init__(self, f, c, hidden=8, heads=8, p=0.6):
        super().__init__()
        self.convs = torch.nn.ModuleList([GATConv(f, hidden, heads, True, p), GATConv(hidden * heads, c, heads, False, p)])
        self.p = p

    def forward(self, x, src, dst, n):
        for l, conv in enumerate(self.convs):
            x = conv(TF.dropout(x, self.p, self.training), src, dst, n)
            if l < len(self.convs) - 1:
                x = torch.relu(x)
        return x


def timed(fn, warmup, repeats):
    times, results = [], []
    for i in range(warmup + repeats):
        t = time.perf_counter()
        r = fn()
        ms = (time.perf_counter() - t) * 1000
        results.append(r)
        if i >= warmup:
            times.append(round(ms, 3))
    return times, results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", required=True, choices=["spmm", "gcn", "resgcn", "gat"])
    ap.add_argument("--graph", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--depth", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--features", type=int, default=64)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    g = load_graph(a.graph)
    meta = g["meta"]
    n = meta["numNodes"]
    fmt = pick_format(g, n)
    op = Operator(g["gcn_rowptr"], g["gcn_col"], g["gcn_val"], n, fmt)
    out = {"case": a.case, "side": "torch", "graph": meta["name"], "nodes": n, "edges": meta["numEdges"],
           "threads": torch.get_num_threads(), "torch": torch.__version__, "sparse_format": fmt}
    if a.case == "spmm":
        f = a.features
        xs = g["x"] if meta["numFeatures"] == f else np.sin(np.arange(n * f, dtype=np.float64)).astype(np.float32).reshape(n, f)
        x = torch.from_numpy(np.ascontiguousarray(xs))
        g2 = {k: g[k] for k in ["gcn_rowptr", "gcn_col", "gcn_val"]}
        del g
        out["setup_ms"] = (time.perf_counter() - t0) * 1000
        with torch.no_grad():
            # Each product is freed at once (.shape is what is kept), as Fathom disposes each:
            # holding every repeat's Y would add several N x F outputs to the peak RSS. The
            # checksum is of one more product, as on Fathom's side.
            times, _ = timed(lambda: torch.sparse.mm(op.fwd, x).shape, a.warmup, a.repeats)
            ys = [torch.sparse.mm(op.fwd, x)]
            # The other format too: the case reports the faster one (both are in the JSON).
            other = "coo" if fmt == "csr" else "csr"
            op2 = Operator(g2["gcn_rowptr"], g2["gcn_col"], g2["gcn_val"], n, other) if other == "coo" else None
            times2, _ = timed(lambda: torch.sparse.mm(op2.fwd, x).shape, a.warmup, a.repeats) if op2 else ([], None)
        med = lambda t: sorted(t)[len(t) // 2] if t else math.inf
        by_fmt = {fmt: times, other: times2}
        best = min(by_fmt, key=lambda k: med(by_fmt[k]))
        out.update(times_ms=by_fmt[best], sparse_format=best, times_ms_by_format=by_fmt, nnz=int(op.cols.numel()), nnz_coalesced=op.nnz_coalesced, features=f,
                   checksum=float(ys[-1].double().abs().sum()))
    else:
        x = torch.from_numpy(g["x"])
        y = torch.from_numpy(g["y"].astype(np.int64))
        train = torch.from_numpy(g["train_mask"].astype(bool))
        c = meta["numClasses"]
        if a.case == "gcn":
            model = GCN(meta["numFeatures"], a.hidden, c)
            fwd = lambda: model(x, op)
        elif a.case == "resgcn":
            model = ResGCN(meta["numFeatures"], a.hidden, c, a.depth)
            fwd = lambda: model(x, op)
            out.update(depth=a.depth, residual="fixup")
        else:
            model = GAT(meta["numFeatures"], c)
            src, dst = op.cols, op.rows
            fwd = lambda: model(x, src, dst, n)
        del g
        opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
        out["setup_ms"] = (time.perf_counter() - t0) * 1000

        def step():
            model.train()
            opt.zero_grad()
            loss = TF.nll_loss(TF.log_softmax(fwd(), dim=-1)[train], y[train])
            loss.backward()
            opt.step()
            return loss.item()

        times, results = timed(step, a.warmup, a.repeats)
        out.update(times_ms=times, loss_first=results[0], loss_last=results[-1],
                   parameters=sum(p.numel() for p in model.parameters()))
    out["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
