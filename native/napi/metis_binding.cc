// N-API entry points of METIS graph partitioning (native/metis/metis_runtime.h): whether METIS
// loads, and a k-way partition of a CSR's symmetrized graph, on the calling thread or on a libuv
// worker (METIS takes seconds to minutes on graphs of millions of nodes).
#include <string>
#include <vector>

#include "convert.h"
#include "errors.h"
#include "feature_bindings.h"
#include "metis/metis_runtime.h"
#include "promise_worker.h"

namespace fathom::napi {
namespace {

using metis::MetisRuntime;
using metis::Partition;

// { parts: Int32Array (a part per node), edgeCut: number }
Napi::Object partition_to_js(Napi::Env env, const Partition& p) {
  Napi::Int32Array parts = Napi::Int32Array::New(env, p.part.size());
  std::copy(p.part.begin(), p.part.end(), parts.Data());
  Napi::Object out = Napi::Object::New(env);
  out.Set("parts", parts);
  out.Set("edgeCut", static_cast<double>(p.edge_cut));
  return out;
}

// The arguments of metisPartition(rowptr, col, numParts, seed, ufactor), read and checked on the
// calling thread; METIS must be available (MISSING_MODULE otherwise).
struct Call {
  std::vector<int32_t> rowptr, col;
  int64_t num_parts, seed, ufactor;
};

Call read_call(const Napi::CallbackInfo& info, const char* op) {
  Call c{int32_array_arg(info, 0, op, "rowptr"), int32_array_arg(info, 1, op, "col"), 0, 0, 0};
  c.num_parts = static_cast<int64_t>(integer_arg(info, 2, op, "numParts", 1));
  c.seed = static_cast<int64_t>(integer_arg(info, 3, op, "seed", 0));
  c.ufactor = static_cast<int64_t>(integer_arg(info, 4, op, "ufactor", 1));
  MetisRuntime& m = MetisRuntime::instance();
  if (!m.load())
    throw_fathom_error(info.Env(), std::string(op) + ": METIS is not available: " + m.reason(),
                       "MISSING_MODULE");
  return c;
}

Partition partition(const Call& c, const char* op) {
  const metis::UndirectedCsr g = metis::undirected_csr(c.rowptr, c.col, op);
  return MetisRuntime::instance().partition_kway(g, c.num_parts, c.seed, c.ufactor, op);
}

class PartitionWorker : public PromiseWorker {
 public:
  PartitionWorker(Napi::Env env, Call call)
      : PromiseWorker(env, "fathom.metisPartition", "metisPartition"), call_(std::move(call)) {}

 private:
  void run() override { result_ = partition(call_, "metisPartition"); }
  Napi::Value result(Napi::Env env) override { return partition_to_js(env, result_); }

  Call call_;
  Partition result_;
};

// { available, library, idxBits, reason }: opens libmetis on the first call.
Napi::Value MetisInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  MetisRuntime& m = MetisRuntime::instance();
  Napi::Object out = Napi::Object::New(env);
  out.Set("available", m.load());
  out.Set("library", m.library());
  out.Set("idxBits", m.idx_bits());
  if (!m.loaded()) out.Set("reason", m.reason());
  return out;
}

Napi::Value MetisPartition(const Napi::CallbackInfo& info) {
  const char* op = "metisPartition";
  Call c = read_call(info, op);
  return guarded(info.Env(),
                 [&]() -> Napi::Value { return partition_to_js(info.Env(), partition(c, op)); });
}

Napi::Value MetisPartitionAsync(const Napi::CallbackInfo& info) {
  auto* worker = new PartitionWorker(info.Env(), read_call(info, "metisPartition"));
  Napi::Promise p = worker->promise();
  worker->Queue();  // deletes itself when done
  return p;
}

}  // namespace

void register_metis(Napi::Env env, Napi::Object exports) {
  exports.Set("metisInfo", Napi::Function::New(env, MetisInfo, "metisInfo"));
  exports.Set("metisPartition", Napi::Function::New(env, MetisPartition, "metisPartition"));
  exports.Set("metisPartitionAsync",
              Napi::Function::New(env, MetisPartitionAsync, "metisPartitionAsync"));
}

}  // namespace fathom::napi
