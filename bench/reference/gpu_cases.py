#!/usr/bin/env python3
"""PyTorch and PyTorch Geometric side of bench/compare-cuda.bench.mjs.

One process per graph and implementation runs a list of cases on the graph bench/lib/graphs.mjs
exported, on --device (cuda, or cpu for a smoke run), and prints one JSON line per finished case
({"case_result": SPEC, ...}) and a last line with every case, so a run stopped by its time limit
keeps the cases it finished.

--impl torch: the plain-torch mirror of Fathom's models (bench/reference/torch_models.py), the
              reference of numerics: the same operator arrays, CSR SpMM (cuSPARSE on CUDA).
--impl pyg:   torch_geometric's own layers as its users write them:
  spmm    two paths: MessagePassing (gather x_j, weight, scatter-add over the edge list of A + I
          with the gcn values) and torch_geometric.utils.spmm over the operator as a torch
          sparse CSR; the case reports the faster, both are in the JSON.
  gcn     GCNConv x 2 (hidden 64, dropout 0.5) on the raw edge_index with cached=True (PyG adds
          self loops and normalizes once), and on adj_t = the normalized operator as a torch
          sparse CSR (normalize=False); the faster is reported.
  gat     GATConv(8 heads x 8, dropout 0.6, no bias) -> GATConv(8 heads x C, averaged) on the raw
          edge_index (PyG adds the self loops), as Fathom's GAT v1.
  resgcn  Fathom's fixup stack with GCNConv(h, h, bias=False, normalize=False) blocks:
          Z + (1/sqrt L) conv(ReLU(Z)), the gcn normalization computed once (gcn_norm) and passed
          as edge weights (and, second path, on adj_t); the faster is reported.

Timing: torch.cuda.synchronize() before starting and after stopping each timer. Memory:
torch.cuda.reset_peak_memory_stats() at the start of each case (spmm) or step (training), then
torch.cuda.max_memory_allocated() — tensor bytes, as Fathom's memory().cuda.peakBytes counts.

  python3 bench/reference/gpu_cases.py --impl torch|pyg --graph DIR --case spmm:64,spmm:128,gcn,gat,resgcn
          [--device cuda] [--repeats 5] [--warmup 2] [--depth 64] [--hidden 64]
Without torch (or, for --impl pyg, without torch_geometric) it prints {"skipped": ...} and exits 0.
"""
import argparse
import json
import math
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_models as TM  # noqa: E402  (prints {"skipped"} and exits when torch is missing)

np, torch, TF = TM.np, TM.torch, TM.TF
MB = 2.0**20


class Clock:
    """Timers fenced by the device's synchronize; peak tensor bytes on CUDA."""

    def __init__(self, device, warmup, repeats):
        self.cuda = device.type == "cuda"
        self.warmup, self.repeats = warmup, repeats

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def reset_peak(self):
        if self.cuda:
            torch.cuda.reset_peak_memory_stats()

    def live_mb(self):
        return torch.cuda.memory_allocated() / MB if self.cuda else None

    def peak_mb(self):
        return torch.cuda.max_memory_allocated() / MB if self.cuda else None

    def timed(self, fn, reset_each=False):
        times, results = [], []
        for i in range(self.warmup + self.repeats):
            if reset_each:
                self.reset_peak()
            self.sync()
            t = time.perf_counter()
            r = fn()
            self.sync()
            ms = (time.perf_counter() - t) * 1000
            results.append(r)
            if i >= self.warmup:
                times.append(round(ms, 3))
        return times, results


def median(t):
    s = sorted(t)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


class Inputs:
    """The exported graph on the device, each derived array built on first use and kept."""

    def __init__(self, g, device):
        self.g, self.device = g, device
        self.meta = g["meta"]
        self.n = self.meta["numNodes"]
        self.x = torch.from_numpy(g["x"]).to(device)
        self.y = torch.from_numpy(g["y"].astype(np.int64)).to(device)
        # Index, not boolean mask: a boolean index is a host sync (nonzero) in every step.
        self.train = torch.from_numpy(np.nonzero(g["train_mask"])[0].astype(np.int64)).to(device)
        self._cache = {}

    def get(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def op(self):
        fmt = "csr" if self.device.type == "cuda" else TM.pick_format(self.g, self.n)
        return self.get("op", lambda: TM.Operator(self.g["gcn_rowptr"], self.g["gcn_col"], self.g["gcn_val"], self.n, fmt, self.device))

    def op_values(self):
        # The gcn values in the order of op().rows / op().cols (CSR by target, duplicates kept).
        return self.get("op_values", lambda: torch.from_numpy(self.g["gcn_val"]).to(self.device))

    def edge_index(self):
        return self.get("edge_index", lambda: torch.from_numpy(self.g["edge_index"].astype(np.int64)).to(self.device))

    def features(self, f):
        # As bench/lib/fathom-case.mjs builds them: the graph's features, each row repeated when F
        # is a multiple of their width, else the sin pattern. Not kept: freed after the case, as
        # Fathom frees its copy, so later cases do not start with it on the device.
        nf, n = self.meta["numFeatures"], self.n
        if nf == f:
            return self.x
        if f % nf == 0:
            return self.x.repeat(1, f // nf)
        return torch.from_numpy(np.sin(np.arange(n * f, dtype=np.float64)).astype(np.float32).reshape(n, f)).to(self.device)


def train_step(model, fwd, inp):
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)

    def step():
        model.train()
        opt.zero_grad()
        loss = TF.nll_loss(TF.log_softmax(fwd(), dim=-1)[inp.train], inp.y[inp.train])
        loss.backward()
        opt.step()
        return loss.item()

    return step


def run_training(clock, inp, make, out):
    """make() -> (model, fwd); times the step, records losses and the last step's peak."""
    model, fwd = make()
    step = train_step(model, fwd, inp)
    times, losses = clock.timed(step, reset_each=True)
    out.update(times_ms=times, loss_first=losses[0], loss_last=losses[-1], parameters=sum(p.numel() for p in model.parameters()), device_peak_mb=clock.peak_mb())
    del model, fwd, step


def best_of(variants, out, clock):
    """Runs each (name, fn(record)) variant; the case reports the fastest median, all are kept."""
    by = {}
    for name, fn in variants:
        rec = {}
        try:
            fn(rec)
        except Exception as e:  # one path failing (OOM, unsupported op) leaves the other
            rec = {"error": f"{type(e).__name__}: {str(e)[:300]}"}
            if clock.cuda:
                torch.cuda.empty_cache()
        by[name] = rec
    ok = {k: v for k, v in by.items() if "times_ms" in v}
    if not ok:
        raise RuntimeError("; ".join(f"{k}: {v.get('error')}" for k, v in by.items()))
    best = min(ok, key=lambda k: median(ok[k]["times_ms"]))
    out.update(ok[best])
    out["variant"] = best
    keep = ("device_peak_mb", "checksum", "loss_first")
    out["variants"] = {k: ({"median_ms": median(v["times_ms"]), **{f: v[f] for f in keep if f in v}} if "times_ms" in v else v) for k, v in by.items()}


def spmm_record(clock, mm, x, out):
    last = [None]

    def call():
        # Only the latest product is kept (Fathom disposes each): holding every repeat's Y would
        # count several N x F outputs in the peak.
        last[0] = None
        last[0] = mm(x)

    with torch.no_grad():
        clock.reset_peak()
        times, _ = clock.timed(call)
        peak = clock.peak_mb()  # before the checksum's temporaries
        out.update(times_ms=times, checksum=float(last[0].abs().sum(dtype=torch.float64)), device_peak_mb=peak)


# ---- plain torch (the mirror) -------------------------------------------------------------------


def torch_case(kind, width, clock, inp, a, out):
    c = inp.meta["numClasses"]
    f_in = inp.meta["numFeatures"]
    if kind == "spmm":
        op = inp.op()
        out.update(nnz=int(op.cols.numel()), nnz_coalesced=op.nnz_coalesced, features=width, sparse_format=op.fmt)
        spmm_record(clock, lambda x: torch.sparse.mm(op.fwd, x), inp.features(width), out)
    elif kind == "gcn":
        op = inp.op()
        run_training(clock, inp, lambda: (lambda m: (m, lambda: m(inp.x, op)))(TM.GCN(f_in, a.hidden, c).to(inp.device)), out)
    elif kind == "resgcn":
        op = inp.op()
        out.update(depth=a.depth, residual="fixup")
        run_training(clock, inp, lambda: (lambda m: (m, lambda: m(inp.x, op)))(TM.ResGCN(f_in, a.hidden, c, a.depth).to(inp.device)), out)
    elif kind == "gat":
        op = inp.op()
        run_training(clock, inp, lambda: (lambda m: (m, lambda: m(inp.x, op.cols, op.rows, inp.n)))(TM.GAT(f_in, c).to(inp.device)), out)
    else:
        raise ValueError(f"unknown case '{kind}'")


# ---- PyTorch Geometric ------------------------------------------------------------------------


def pyg_case(kind, width, clock, inp, a, out):
    from torch_geometric.nn import GATConv, GCNConv, MessagePassing
    from torch_geometric.nn.conv.gcn_conv import gcn_norm
    from torch_geometric.utils import spmm as pyg_spmm

    c = inp.meta["numClasses"]
    f_in = inp.meta["numFeatures"]
    n = inp.n

    class WeightedSum(MessagePassing):
        def __init__(self):
            super().__init__(aggr="add")

        def forward(self, x, edge_index, w):
            return self.propagate(edge_index, x=x, w=w)

        def message(self, x_j, w):
            return w.view(-1, 1) * x_j

    class GCN(torch.nn.Module):
        def __init__(self, normalize, p=0.5):
            super().__init__()
            kw = dict(cached=normalize, normalize=normalize)
            self.convs = torch.nn.ModuleList([GCNConv(f_in, a.hidden, **kw), GCNConv(a.hidden, c, **kw)])
            self.p = p

        def forward(self, x, adj):
            for l, conv in enumerate(self.convs):
                x = conv(TF.dropout(x, self.p, self.training), adj)
                if l < len(self.convs) - 1:
                    x = torch.relu(x)
            return x

    class ResGCN(torch.nn.Module):
        def __init__(self, depth, p=0.5):
            super().__init__()
            h = a.hidden
            self.encoder = torch.nn.Linear(f_in, h, bias=False)
            self.blocks = torch.nn.ModuleList([GCNConv(h, h, bias=False, normalize=False) for _ in range(depth)])
            self.decoder = torch.nn.Linear(h, c)
            with torch.no_grad():  # gnn-he, as the mirror
                self.encoder.weight.normal_(0, math.sqrt(1.0 / f_in))
                for b in self.blocks:
                    b.lin.weight.normal_(0, math.sqrt(2.0 / h))
                self.decoder.weight.normal_(0, math.sqrt(2.0 / h))
                self.decoder.bias.zero_()
            self.scale, self.p = 1.0 / math.sqrt(depth), p

        def forward(self, x, adj, w=None):
            z = self.encoder(TF.dropout(x, self.p, self.training))
            for conv in self.blocks:
                z = z + self.scale * (conv(torch.relu(z), adj) if w is None else conv(torch.relu(z), adj, w))
            return self.decoder(TF.dropout(torch.relu(z), self.p, self.training))

    class GAT(torch.nn.Module):
        def __init__(self, hidden=8, heads=8, p=0.6):
            super().__init__()
            self.convs = torch.nn.ModuleList(
                [GATConv(f_in, hidden, heads=heads, concat=True, dropout=p, bias=False), GATConv(hidden * heads, c, heads=heads, concat=False, dropout=p, bias=False)]
            )
            self.p = p

        def forward(self, x, edge_index):
            for l, conv in enumerate(self.convs):
                x = conv(TF.dropout(x, self.p, self.training), edge_index)
                if l < len(self.convs) - 1:
                    x = torch.relu(x)
            return x

    dev = inp.device
    if kind == "spmm":
        op = inp.op()
        out.update(nnz=int(op.cols.numel()), features=width)
        x = inp.features(width)
        ei = torch.stack([op.cols, op.rows])
        mp = WeightedSum().to(dev)
        w = inp.op_values()
        best_of(
            [
                ("message_passing", lambda rec: spmm_record(clock, lambda x: mp(x, ei, w), x, rec)),
                ("utils_spmm_csr", lambda rec: spmm_record(clock, lambda x: pyg_spmm(op.fwd, x, reduce="sum"), x, rec)),
            ],
            out,
            clock,
        )
    elif kind == "gcn":
        ei = inp.edge_index()
        best_of(
            [
                ("edge_index_cached", lambda rec: run_training(clock, inp, lambda: (lambda m: (m, lambda: m(inp.x, ei)))(GCN(True).to(dev)), rec)),
                ("adj_t_csr", lambda rec: run_training(clock, inp, lambda: (lambda m: (m, lambda: m(inp.x, inp.op().fwd)))(GCN(False).to(dev)), rec)),
            ],
            out,
            clock,
        )
    elif kind == "resgcn":
        out.update(depth=a.depth, residual="fixup")
        normed = inp.get("gcn_norm", lambda: gcn_norm(inp.edge_index(), None, n, add_self_loops=True))
        best_of(
            [
                ("edge_index_gcn_norm", lambda rec: run_training(clock, inp, lambda: (lambda m: (m, lambda: m(inp.x, normed[0], normed[1])))(ResGCN(a.depth).to(dev)), rec)),
                ("adj_t_csr", lambda rec: run_training(clock, inp, lambda: (lambda m: (m, lambda: m(inp.x, inp.op().fwd)))(ResGCN(a.depth).to(dev)), rec)),
            ],
            out,
            clock,
        )
    elif kind == "gat":
        ei = inp.edge_index()
        run_training(clock, inp, lambda: (lambda m: (m, lambda: m(inp.x, ei)))(GAT().to(dev)), out)
        out["variant"] = "edge_index"
    else:
        raise ValueError(f"unknown case '{kind}'")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--impl", required=True, choices=["torch", "pyg"])
    ap.add_argument("--case", required=True, help="comma-separated: spmm[:F], gcn, gat, resgcn")
    ap.add_argument("--graph", required=True)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--depth", type=int, default=64)
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--features", type=int, default=64)
    a = ap.parse_args()
    head = {"side": a.impl, "device": a.device, "torch": torch.__version__, "synchronized": True}
    if a.impl == "pyg":
        try:
            import torch_geometric
        except ImportError as e:
            TM.skip(f"torch_geometric is not importable ({e})")
        head["torch_geometric"] = torch_geometric.__version__
    if a.device == "cuda" and not torch.cuda.is_available():
        TM.skip("torch.cuda.is_available() is false")
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    head["sync_method"] = "torch.cuda.synchronize() before starting and after stopping each timer" if device.type == "cuda" else "none needed: CPU ops are synchronous"
    if device.type == "cuda":
        head["gpu"] = torch.cuda.get_device_name(0)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    g = TM.load_graph(a.graph)
    inp = Inputs(g, device)
    clock = Clock(device, a.warmup, a.repeats)
    head.update(graph=inp.meta["name"], nodes=inp.n, edges=inp.meta["numEdges"], setup_ms=(time.perf_counter() - t0) * 1000)
    run = torch_case if a.impl == "torch" else pyg_case
    cases = {}
    for spec in a.case.split(","):
        kind, _, width = spec.partition(":")
        out = {"case": kind}
        s = time.perf_counter()
        try:
            out["device_mb_at_start"] = clock.live_mb()
            run(kind, int(width) if width else a.features, clock, inp, a, out)
        except Exception as e:  # an out-of-memory on a large graph ends this case, not the list
            out["error"] = f"{type(e).__name__}: {str(e)[:300]}"
            sys.stderr.write(traceback.format_exc(limit=3))
        if clock.cuda:
            torch.cuda.empty_cache()
        out["case_wall_ms"] = (time.perf_counter() - s) * 1000
        cases[spec] = out
        sys.stdout.write(json.dumps({"case_result": spec, **out}) + "\n")
        sys.stdout.flush()
        sys.stderr.write(f"{a.impl} {spec}: {out.get('error') or out.get('times_ms')}\n")
    head["cases"] = cases
    head["peak_rss_mb"] = TM.peak_rss_mb()
    sys.stdout.write(json.dumps(head) + "\n")


if __name__ == "__main__":
    main()
