// GPU-only check of compiled steps captured as CUDA graphs (plan::Plan::set_cuda_graph): a small
// training step of op-table calls (matmul, dropout with a per-step seed, log-softmax, NLL loss
// and its backward through the device-side upstream gradient, scaleBy, Adam with a per-step
// learning rate and step count) replayed 20 times plainly and 20 times through a captured graph
// from the same start must give the same losses and weights bit for bit; a step with a host read
// must fall back to plain replay with the reason. Prints "N passed, M failed"; skips without GPU.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "cuda/runtime.h"
#include "plan/plan.h"
#include "table/op_table.h"

namespace {

using fathom::Device;
using fathom::DType;
using fathom::Tensor;
using fathom::plan::Arg;
using fathom::plan::ArgKind;
using fathom::plan::Inputs;
using fathom::plan::Plan;
using fathom::plan::Step;

int passed = 0, failed = 0;

void check(bool ok, const std::string& what) {
  (ok ? passed : failed)++;
  if (!ok) std::printf("FAIL %s\n", what.c_str());
}

Arg slot(int64_t i) { return Arg{ArgKind::Slot, i}; }
Arg external(int64_t i) { return Arg{ArgKind::External, i}; }
Arg dynamic(int64_t i) { return Arg{ArgKind::Dynamic, i}; }
Arg number(double v) {
  Arg a{ArgKind::Number};
  a.number = v;
  return a;
}
Arg flag(bool v) {
  Arg a{ArgKind::Flag};
  a.flag = v;
  return a;
}
Arg text(const char* v) {
  Arg a{ArgKind::Text};
  a.text = v;
  return a;
}
Arg shape(fathom::Shape s) {
  Arg a{ArgKind::Shape};
  a.shape = std::move(s);
  return a;
}

Step step(const char* op, std::vector<Arg> args, std::vector<int64_t> outs) {
  const fathom::table::OpDef* def = fathom::table::find_op(op);
  if (def == nullptr) throw std::runtime_error(std::string("no op ") + op);
  return Step{def, std::move(args), std::move(outs)};
}

constexpr int64_t kN = 64, kF = 24, kC = 5;

// Inputs: 0 x [N,F], 1 w [F,C], 2 labels, 3 mask, 4 m, 5 v, 6 s (f64 when `host_read`: scaleBy
// then reads it on the host). Per-step scalars: 0 dropout seed, 1 lr, 2 Adam step. Output: loss.
std::vector<Step> model_step() {
  return {
      step("matmul", {external(0), external(1), flag(false), flag(false)}, {0}),
      step("dropout", {slot(0), number(0.5), dynamic(0)}, {1, 2}),
      step("logSoftmax", {slot(1)}, {3}),
      step("nllLoss", {slot(3), external(2), external(3)}, {4}),
      step("fill", {shape({}), text("f32"), text("cuda"), number(1.0)}, {5}),
      step("nllLossBackward", {slot(5), slot(3), external(2), external(3)}, {6}),
      step("logSoftmaxBackward", {slot(6), slot(3)}, {7}),
      step("dropoutBackward", {slot(7), slot(2), number(0.5)}, {8}),
      step("matmul", {external(0), slot(8), flag(true), flag(false)}, {9}),
      step("scaleBy", {slot(9), external(6), number(2.0)}, {10}),
      step("adamStep",
           {external(1), slot(10), external(4), external(5), dynamic(1), number(0.9), number(0.999),
            number(1e-8), number(1e-4), dynamic(2)},
           {}),
  };
}

Tensor on_gpu(const std::vector<float>& v, fathom::Shape s) {
  return Tensor::from_host(v.data(), s, DType::F32).to(Device::CUDA);
}

std::vector<float> values(const Tensor& t) {
  std::vector<float> v(static_cast<size_t>(t.numel()));
  t.copy_to_host(v.data());
  return v;
}

struct State {
  Tensor x, w, labels, mask, m, v, s;
};

State start(bool f64_scale) {
  std::vector<float> x(kN * kF), w(kF * kC);
  uint64_t r = 12345;
  auto next = [&] {
    r = r * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<float>(static_cast<double>(r >> 40) / double(1 << 24) - 0.5);
  };
  for (float& e : x) e = next();
  for (float& e : w) e = 0.3f * next();
  std::vector<int32_t> lab(kN);
  std::vector<uint8_t> mk(kN);
  for (int64_t i = 0; i < kN; ++i) {
    lab[i] = static_cast<int32_t>(i % kC);
    mk[i] = i % 3 != 0;
  }
  State st;
  st.x = on_gpu(x, {kN, kF});
  st.w = on_gpu(w, {kF, kC});
  st.labels = Tensor::from_host(lab.data(), {kN}, DType::I32).to(Device::CUDA);
  st.mask = Tensor::from_host(mk.data(), {kN}, DType::U8).to(Device::CUDA);
  st.m = Tensor::zeros({kF, kC}, DType::F32, Device::CUDA);
  st.v = Tensor::zeros({kF, kC}, DType::F32, Device::CUDA);
  const double half = 0.5;
  const float halff = 0.5f;
  st.s = f64_scale ? Tensor::from_host(&half, {}, DType::F64).to(Device::CUDA)
                   : Tensor::from_host(&halff, {}, DType::F32).to(Device::CUDA);
  return st;
}

// 20 runs of the step; the losses of each, then w, m and v at the end.
std::vector<float> train(Plan& plan, State& st) {
  std::vector<float> out;
  for (int k = 0; k < 20; ++k) {
    Inputs in{
        {&st.x, &st.w, &st.labels, &st.mask, &st.m, &st.v, &st.s},
        {},
        {static_cast<double>(1000 + 7 * k), k < 10 ? 0.01 : 0.005, static_cast<double>(k + 1)}};
    std::vector<Tensor> loss = plan.run(in);
    out.push_back(values(loss.at(0)).at(0));
  }
  for (const Tensor* t : {&st.w, &st.m, &st.v}) {
    const std::vector<float> v = values(*t);
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

void captured_equals_plain() {
  State a = start(false), b = start(false);
  Plan plain(model_step(), 11, 7, 0, 3, {4});
  Plan graph(model_step(), 11, 7, 0, 3, {4});
  graph.set_cuda_graph(true);
  const std::vector<float> want = train(plain, a);
  const std::vector<float> got = train(graph, b);
  check(graph.cuda_graph_active(),
        "the step was captured (reason: " + graph.cuda_graph_reason() + ")");
  check(same_bits(got, want), "20 captured steps give the plain replay's losses and weights");
  std::printf("captured: %s; loss %g -> %g\n", graph.cuda_graph_active() ? "yes" : "no", got.at(0),
              got.at(19));
}

void host_read_falls_back() {
  State a = start(true), b = start(true);
  Plan plain(model_step(), 11, 7, 0, 3, {4});
  Plan graph(model_step(), 11, 7, 0, 3, {4});
  graph.set_cuda_graph(true);
  const std::vector<float> want = train(plain, a);
  const std::vector<float> got = train(graph, b);
  check(!graph.cuda_graph_active(), "a step with a host read is not captured");
  check(graph.cuda_graph_reason().find("host") != std::string::npos,
        "the reason names the host read: " + graph.cuda_graph_reason());
  check(same_bits(got, want), "the fallback replays plainly with the same results");
}

void pool_is_freed_with_the_plan() {
  State a = start(false);
  const size_t cached = fathom::cuda::cached_bytes();
  {
    Plan graph(model_step(), 11, 7, 0, 3, {4});
    graph.set_cuda_graph(true);
    (void)train(graph, a);
  }
  // The graph's blocks went back to the driver, not into the shared cache.
  check(fathom::cuda::cached_bytes() <= cached + (size_t(4) << 20),
        "the plan's pool does not leak into the shared cache");
}

}  // namespace

int main() {
  std::string why;
  if (!fathom::cuda::available(&why)) {
    std::printf("no GPU: %s\n0 passed, 0 failed, 1 skipped\n", why.c_str());
    return 0;
  }
  try {
    captured_equals_plain();
    host_read_falls_back();
    pool_is_freed_with_the_plan();
    fathom::cuda::synchronize();
  } catch (const std::exception& e) {
    failed++;
    std::printf("FAIL exception: %s\n", e.what());
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
