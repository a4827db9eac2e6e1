// N-API binding of the neighbour sampler (graph/neighbor_sampler.h): a SamplerHandle made by
// neighborSampler(rowptr, col, fanouts, replace), whose sample() runs on the calling thread and
// sampleAsync() on a libuv worker (the next batch is drawn while the current step runs). The
// worker shares the sampler, so dispose() during a draw frees nothing it reads.
#include <memory>
#include <string>
#include <vector>

#include "convert.h"
#include "env_data.h"
#include "errors.h"
#include "feature_bindings.h"
#include "graph/neighbor_sampler.h"
#include "promise_worker.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace fathom::napi {
namespace {

Napi::Int32Array to_js(Napi::Env env, const int32_t* data, size_t n) {
  Napi::Int32Array a = Napi::Int32Array::New(env, n);
  std::copy(data, data + n, a.Data());
  return a;
}

// { nodes: Int32Array, numSampledNodes: number[], edges: Int32Array[] (flat [2, E_k]) }
Napi::Object hops_to_js(Napi::Env env, const SampledHops& h) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("nodes", to_js(env, h.nodes.data(), h.nodes.size()));
  Napi::Array sizes = Napi::Array::New(env, h.hop_sizes.size());
  for (size_t k = 0; k < h.hop_sizes.size(); ++k)
    sizes.Set(static_cast<uint32_t>(k), static_cast<double>(h.hop_sizes[k]));
  o.Set("numSampledNodes", sizes);
  Napi::Array edges = Napi::Array::New(env, h.src.size());
  for (size_t k = 0; k < h.src.size(); ++k) {
    const size_t E = h.src[k].size();
    Napi::Int32Array flat = Napi::Int32Array::New(env, 2 * E);
    std::copy(h.src[k].begin(), h.src[k].end(), flat.Data());
    std::copy(h.dst[k].begin(), h.dst[k].end(), flat.Data() + E);
    edges.Set(static_cast<uint32_t>(k), flat);
  }
  o.Set("edges", edges);
  return o;
}

int current_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

class SampleWorker : public PromiseWorker {
 public:
  SampleWorker(Napi::Env env, std::shared_ptr<const NeighborSampler> sampler,
               std::vector<int32_t> seeds, uint64_t seed, uint64_t batch)
      : PromiseWorker(env, "fathom.neighborSample", "NeighborSampler.sampleAsync"),
        sampler_(std::move(sampler)),
        seeds_(std::move(seeds)),
        seed_(seed),
        batch_(batch),
        // The caller's thread count (setNumThreads): OpenMP's is per thread, and this worker's
        // would be the process default.
        threads_(current_threads()) {}

 private:
  void run() override {
    hops_ = sampler_->sample(seeds_.data(), static_cast<int64_t>(seeds_.size()), seed_, batch_,
                             threads_);
  }
  Napi::Value result(Napi::Env env) override { return hops_to_js(env, hops_); }

  std::shared_ptr<const NeighborSampler> sampler_;
  std::vector<int32_t> seeds_;
  uint64_t seed_, batch_;
  int threads_;
  SampledHops hops_;
};

class SamplerHandle : public Napi::ObjectWrap<SamplerHandle> {
 public:
  static Napi::Function Init(Napi::Env env) {
    Napi::Function ctor =
        DefineClass(env, "SamplerHandle",
                    {InstanceMethod("sample", &SamplerHandle::Sample),
                     InstanceMethod("sampleAsync", &SamplerHandle::SampleAsync),
                     InstanceMethod("dispose", &SamplerHandle::Dispose),
                     InstanceAccessor("disposed", &SamplerHandle::Disposed, nullptr)});
    env_data(env).sampler_handle = Napi::Persistent(ctor);
    return ctor;
  }

  explicit SamplerHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SamplerHandle>(info) {}

  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<const NeighborSampler> s) {
    Napi::Object obj = env_data(env).sampler_handle.New({});
    Unwrap(obj)->sampler_ = std::move(s);
    return obj;
  }

 private:
  // The sampler and the checked seeds, seed and batch of sample(seeds, seed, batch).
  struct Call {
    std::shared_ptr<const NeighborSampler> sampler;
    std::vector<int32_t> seeds;
    uint64_t seed, batch;
  };

  Call read_call(const Napi::CallbackInfo& info, const char* op) {
    if (!sampler_) throw_type_error(info.Env(), std::string(op) + ": the sampler was disposed");
    Call c{sampler_, int32_array_arg(info, 0, op, "seeds"), 0, 0};
    c.seed = static_cast<uint64_t>(integer_arg(info, 1, op, "seed", 0));
    c.batch = static_cast<uint64_t>(integer_arg(info, 2, op, "batch", 0));
    guarded(info.Env(), [&]() -> Napi::Value {
      c.sampler->check_seeds(c.seeds.data(), static_cast<int64_t>(c.seeds.size()), op);
      return info.Env().Undefined();
    });
    return c;
  }

  Napi::Value Sample(const Napi::CallbackInfo& info) {
    Call c = read_call(info, "NeighborSampler.sample");
    return guarded(info.Env(), [&]() -> Napi::Value {
      return hops_to_js(info.Env(),
                        c.sampler->sample(c.seeds.data(), static_cast<int64_t>(c.seeds.size()),
                                          c.seed, c.batch, current_threads()));
    });
  }

  Napi::Value SampleAsync(const Napi::CallbackInfo& info) {
    Call c = read_call(info, "NeighborSampler.sampleAsync");
    auto* worker =
        new SampleWorker(info.Env(), std::move(c.sampler), std::move(c.seeds), c.seed, c.batch);
    Napi::Promise p = worker->promise();
    worker->Queue();  // deletes itself when done
    return p;
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    sampler_.reset();
    return info.Env().Undefined();
  }

  Napi::Value Disposed(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), !sampler_);
  }

  std::shared_ptr<const NeighborSampler> sampler_;
};

// neighborSampler(rowptr: Int32Array, col: Int32Array, fanouts: number[], replace) -> handle
Napi::Value NeighborSamplerNew(const Napi::CallbackInfo& info) {
  const char* op = "NeighborSampler";
  std::vector<int32_t> rowptr = int32_array_arg(info, 0, op, "rowptr");
  std::vector<int32_t> col = int32_array_arg(info, 1, op, "col");
  if (info.Length() < 3 || !info[2].IsArray())
    throw_type_error(info.Env(),
                     std::string(op) + ": argument fanouts must be an array of integers");
  Napi::Array f = info[2].As<Napi::Array>();
  std::vector<int64_t> fanouts;
  for (uint32_t k = 0; k < f.Length(); ++k) {
    Napi::Value v = f.Get(k);
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : 0.5;
    if (!v.IsNumber() || d != static_cast<double>(static_cast<int64_t>(d)) || d < -1 ||
        d > 2147483647.0) {
      throw_fathom_error(info.Env(),
                         std::string(op) + ": fanouts[" + std::to_string(k) +
                             "] = " + v.ToString().Utf8Value() +
                             " must be -1 (every neighbour) or an integer in [0, 2^31)",
                         "RANGE");
    }
    fanouts.push_back(static_cast<int64_t>(d));
  }
  const bool replace = bool_arg(info, 3, op, "replace");
  return guarded(info.Env(), [&]() -> Napi::Value {
    auto s = std::make_shared<const NeighborSampler>(std::move(rowptr), std::move(col),
                                                     std::move(fanouts), replace, op);
    return SamplerHandle::Wrap(info.Env(), std::move(s));
  });
}

}  // namespace

void register_sampling(Napi::Env env, Napi::Object exports) {
  exports.Set("SamplerHandle", SamplerHandle::Init(env));
  exports.Set("neighborSampler", Napi::Function::New(env, NeighborSamplerNew, "neighborSampler"));
}

}  // namespace fathom::napi
