// The compiled-step plan (plan/plan.h) on its own: a plan of op-table steps computes what the
// same ops called directly compute, releases every intermediate, reads its per-step scalar, and
// refuses bad plans and stale inputs with errors naming the problem.
#include <string>
#include <vector>

#include "check.h"
#include "core/memory_stats.h"
#include "core/tensor.h"
#include "ops/ops.h"
#include "plan/plan.h"
#include "table/op_table.h"

namespace {

using fathom::Device;
using fathom::DType;
using fathom::ErrorKind;
using fathom::MemoryStats;
using fathom::Tensor;
using fathom::plan::Arg;
using fathom::plan::ArgKind;
using fathom::plan::Inputs;
using fathom::plan::Plan;
using fathom::plan::Step;

Arg slot(int64_t i) { return Arg{ArgKind::Slot, i}; }
Arg external(int64_t i) { return Arg{ArgKind::External, i}; }
Arg dynamic(int64_t i) { return Arg{ArgKind::Dynamic, i}; }
Arg flag(bool v) {
  Arg a{ArgKind::Flag};
  a.flag = v;
  return a;
}

Step step(const char* op, std::vector<Arg> args, std::vector<int64_t> outs) {
  return Step{fathom::table::find_op(op), std::move(args), std::move(outs)};
}

Tensor host(const std::vector<float>& v, fathom::Shape shape) {
  return Tensor::from_host(v.data(), shape, DType::F32);
}

// y = scale(relu(x·w), s) with s a per-step scalar; the plan returns y.
std::vector<Step> steps() {
  return {step("matmul", {external(0), external(1), flag(false), flag(false)}, {0}),
          step("relu", {slot(0)}, {1}), step("scale", {slot(1), dynamic(0)}, {2})};
}

TEST(plan_computes_what_the_ops_compute_and_releases_its_intermediates) {
  Tensor x = host({1, -2, 3, 4, 5, -6}, {2, 3});
  Tensor w = host({0.5f, -1, 2, 0.25f, -0.5f, 1}, {3, 2});
  Plan plan(steps(), 3, 2, 0, 1, {2});
  CHECK_EQ(plan.num_steps(), size_t{3});
  const int64_t live = MemoryStats::get(Device::CPU).live_tensors;
  for (double s : {2.0, -0.5}) {
    Inputs in{{&x, &w}, {}, {s}};
    std::vector<Tensor> out = plan.run(in);
    CHECK_EQ(out.size(), size_t{1});
    Tensor want = fathom::ops::scale(fathom::ops::relu(fathom::ops::matmul(x, w, false, false)), s);
    CHECK_ALL_CLOSE(out[0].data<float>(), want.data<float>(), 4, 0.0, 0.0);
    out.clear();
    // Every slot but the returned one was released inside the run.
    CHECK_EQ(MemoryStats::get(Device::CPU).live_tensors - live, int64_t{1});
  }
}

TEST(plan_refuses_a_slot_read_before_it_is_written_and_indices_out_of_range) {
  std::vector<Step> early = steps();
  std::swap(early[0], early[1]);
  CHECK_FAILS(Plan(early, 3, 2, 0, 1, {2}), ErrorKind::Range,
              "reads slot 0 before any step writes it");
  CHECK_FAILS(Plan(steps(), 3, 1, 0, 1, {2}), ErrorKind::Range, "names input 1 of 1");
  CHECK_FAILS(Plan(steps(), 3, 2, 0, 0, {2}), ErrorKind::Range, "names scalar 0 of 0");
  CHECK_FAILS(Plan(steps(), 3, 2, 0, 1, {5}), ErrorKind::Range, "output slot 5");
}

TEST(plan_refuses_a_run_with_a_disposed_input_or_the_wrong_inputs) {
  Tensor x = host({1, 2, 3, 4, 5, 6}, {2, 3});
  Plan plan(steps(), 3, 2, 0, 1, {2});
  Inputs disposed{{&x, nullptr}, {}, {1.0}};
  CHECK_FAILS(plan.run(disposed), ErrorKind::Type, "was disposed");
  Inputs short_scalars{{&x, &x}, {}, {}};
  CHECK_FAILS(plan.run(short_scalars), ErrorKind::Range, "0 scalars; the plan needs 2, 0 and 1");
}

TEST(plan_with_cuda_graphs_asked_replays_a_cpu_step_plainly_and_says_why) {
  Tensor x = host({1, -2, 3, 4, 5, -6}, {2, 3});
  Tensor w = host({0.5f, -1, 2, 0.25f, -0.5f, 1}, {3, 2});
  Plan plain(steps(), 3, 2, 0, 1, {2});
  Plan graph(steps(), 3, 2, 0, 1, {2});
  graph.set_cuda_graph(true);
  for (double s : {2.0, -0.5}) {
    Inputs in{{&x, &w}, {}, {s}};
    std::vector<Tensor> want = plain.run(in);
    std::vector<Tensor> got = graph.run(in);
    CHECK_ALL_CLOSE(got[0].data<float>(), want[0].data<float>(), 4, 0.0, 0.0);
  }
  CHECK(!graph.cuda_graph_active());
  // No GPU in this build or machine, or a step whose inputs are on the CPU: either is named.
  const std::string& why = graph.cuda_graph_reason();
  CHECK(why.find("CUDA is not available") != std::string::npos ||
        why.find("runs on the CPU") != std::string::npos);
  CHECK(plain.cuda_graph_reason().empty());
}

}  // namespace
