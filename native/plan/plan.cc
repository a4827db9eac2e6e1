#include "plan.h"

#include <algorithm>

#include "core/error.h"
#include "core/op_label.h"
#include "cuda/runtime.h"
#include "plan_args.h"

namespace fathom::plan {
namespace {

constexpr const char* kOp = "compiledStep";

void check_index(int64_t index, int64_t count, size_t step, const char* what) {
  FATHOM_CHECK(index >= 0 && index < count, ErrorKind::Range, kOp,
               "step " + std::to_string(step) + " names " + what + " " + std::to_string(index) +
                   " of " + std::to_string(count));
}

}  // namespace

Plan::Plan(std::vector<Step> steps, int64_t num_slots, int64_t num_externals, int64_t num_csrs,
           int64_t num_dynamic, std::vector<int64_t> outputs)
    : steps_(std::move(steps)),
      outputs_(std::move(outputs)),
      num_externals_(num_externals),
      num_csrs_(num_csrs),
      num_dynamic_(num_dynamic) {
  FATHOM_CHECK(num_slots >= 0 && num_externals >= 0 && num_csrs >= 0 && num_dynamic >= 0,
               ErrorKind::Range, kOp, "counts must be non-negative");
  check(num_slots);
  slots_.resize(static_cast<size_t>(num_slots));
}

// Simulates the plan once: every slot must be written once, before its first reader. A slot's
// last reader releases it; outputs are kept to the end; results nobody reads go at once.
void Plan::check(int64_t num_slots) {
  const size_t n = static_cast<size_t>(num_slots);
  std::vector<int64_t> written(n, -1);
  std::vector<int64_t> last_read(n, -1);
  for (size_t s = 0; s < steps_.size(); ++s) {
    const Step& step = steps_[s];
    FATHOM_CHECK(step.op != nullptr, ErrorKind::Range, kOp,
                 "step " + std::to_string(s) + " has no op");
    for (const Arg& a : step.args) {
      switch (a.kind) {
        case ArgKind::Slot:
          check_index(a.index, num_slots, s, "slot");
          FATHOM_CHECK(written[static_cast<size_t>(a.index)] >= 0, ErrorKind::Range, kOp,
                       "step " + std::to_string(s) + " (" + step.op->name + ") reads slot " +
                           std::to_string(a.index) + " before any step writes it");
          last_read[static_cast<size_t>(a.index)] = static_cast<int64_t>(s);
          break;
        case ArgKind::External:
          check_index(a.index, num_externals_, s, "input");
          break;
        case ArgKind::Csr:
          check_index(a.index, num_csrs_, s, "operator");
          break;
        case ArgKind::Dynamic:
          check_index(a.index, num_dynamic_, s, "scalar");
          break;
        default:
          break;
      }
    }
    for (int64_t out : step.outs) {
      if (out < 0) continue;
      check_index(out, num_slots, s, "slot");
      FATHOM_CHECK(
          written[static_cast<size_t>(out)] < 0, ErrorKind::Range, kOp,
          "step " + std::to_string(s) + " writes slot " + std::to_string(out) + " a second time");
      written[static_cast<size_t>(out)] = static_cast<int64_t>(s);
    }
  }
  std::vector<bool> kept(n, false);
  for (int64_t o : outputs_) {
    check_index(o, num_slots, steps_.size(), "output slot");
    FATHOM_CHECK(written[static_cast<size_t>(o)] >= 0, ErrorKind::Range, kOp,
                 "output slot " + std::to_string(o) + " is never written");
    kept[static_cast<size_t>(o)] = true;
  }
  frees_.assign(steps_.size(), {});
  for (size_t k = 0; k < n; ++k) {
    if (kept[k] || written[k] < 0) continue;
    const int64_t last = std::max(last_read[k], written[k]);
    frees_[static_cast<size_t>(last)].push_back(static_cast<int64_t>(k));
  }
}

void Plan::check_inputs(const Inputs& in) const {
  FATHOM_CHECK(static_cast<int64_t>(in.externals.size()) == num_externals_ &&
                   static_cast<int64_t>(in.csrs.size()) == num_csrs_ &&
                   static_cast<int64_t>(in.dynamic.size()) == num_dynamic_,
               ErrorKind::Range, kOp,
               "the run has " + std::to_string(in.externals.size()) + " inputs, " +
                   std::to_string(in.csrs.size()) + " operators and " +
                   std::to_string(in.dynamic.size()) + " scalars; the plan needs " +
                   std::to_string(num_externals_) + ", " + std::to_string(num_csrs_) + " and " +
                   std::to_string(num_dynamic_));
}

std::vector<Tensor> Plan::run(const Inputs& in) {
  check_inputs(in);
  if (graph_wanted_ && !graph_off_) return run_graph(in);
  return run_steps(in, nullptr);
}

std::vector<Tensor> Plan::run_steps(const Inputs& in, CaptureSink* sink) {
  try {
    for (size_t s = 0; s < steps_.size(); ++s) {
      const Step& step = steps_[s];
      const char* op = step.op->label != nullptr ? step.op->label : step.op->name;
      OpLabel label(op);
      PlanArgs args(step, slots_, in, op);
      if (sink != nullptr) {
        sink->step = s;
        args.capture_into(sink);
      }
      std::vector<Tensor> results = step.op->fn(args);
      if (sink != nullptr) args.check_captured();
      const size_t m = std::min(results.size(), step.outs.size());
      for (size_t k = 0; k < m; ++k) {
        if (step.outs[k] >= 0) slots_[static_cast<size_t>(step.outs[k])] = std::move(results[k]);
      }
      for (int64_t k : frees_[s]) slots_[static_cast<size_t>(k)] = Tensor();
    }
  } catch (...) {
    for (Tensor& t : slots_) t = Tensor();
    throw;
  }
  std::vector<Tensor> out;
  out.reserve(outputs_.size());
  for (int64_t o : outputs_) out.push_back(std::move(slots_[static_cast<size_t>(o)]));
  return out;
}

// ---- CUDA graphs ----------------------------------------------------------------------------

Plan::~Plan() { drop_graph(); }

void Plan::set_cuda_graph(bool on) {
  graph_wanted_ = on;
  if (!on) drop_graph();
}

void Plan::drop_graph() {
  graph_outputs_.clear();  // before the pool they live in
  graph_fills_.clear();
  graph_addresses_.clear();
  if (graph_scalars_ != nullptr) cuda::release(graph_scalars_, 0);  // back to the graph's pool
  graph_scalars_ = nullptr;
  if (graph_ != nullptr) {
    cuda::graph_destroy(graph_);
    graph_ = nullptr;
  }
}

// The memory a captured graph reads and writes in place: every input tensor's and operator's.
std::vector<const void*> Plan::input_addresses(const Inputs& in) const {
  std::vector<const void*> a;
  for (const Tensor* t : in.externals)
    a.push_back(t != nullptr && t->defined() ? t->raw() : nullptr);
  for (const Csr* c : in.csrs) {
    if (c == nullptr) {
      a.insert(a.end(), {nullptr, nullptr, nullptr});
      continue;
    }
    a.push_back(c->rowptr.defined() ? c->rowptr.raw() : nullptr);
    a.push_back(c->col.defined() ? c->col.raw() : nullptr);
    a.push_back(c->values.defined() ? c->values.raw() : nullptr);
  }
  return a;
}

// Only a step on the GPU is captured: every input tensor on CUDA (and at least one input).
bool Plan::graph_eligible(const Inputs& in) {
  std::string why;
  if (!cuda::available(&why)) {
    graph_reason_ = "CUDA is not available: " + why;
    return false;
  }
  bool any = false;
  for (const Tensor* t : in.externals) {
    if (t == nullptr || !t->defined()) continue;
    if (t->device() != Device::CUDA) {
      graph_reason_ = "the step runs on the CPU";
      return false;
    }
    any = true;
  }
  if (!any) {
    graph_reason_ = "the step has no input tensor on the GPU";
    return false;
  }
  return true;
}

// Captures one run (nothing executes while capturing) and instantiates it. False, with the
// reason, when anything in the step cannot be captured; the slots are then empty again and
// nothing has run, so the caller replays the step plainly.
bool Plan::capture(const Inputs& in) {
  graph_ = cuda::graph_create();
  // Two doubles per per-step scalar of the plan covers every op that asks (Adam asks 2 for 2).
  CaptureSink sink;
  sink.capacity = std::max<size_t>(8, 2 * static_cast<size_t>(num_dynamic_) + 2);
  graph_scalars_ =
      static_cast<double*>(cuda::graph_allocate(graph_, sink.capacity * sizeof(double)));
  sink.device = graph_scalars_;
  std::vector<Tensor> outs;
  cuda::graph_begin(graph_);
  try {
    outs = run_steps(in, &sink);
  } catch (const std::exception& e) {
    cuda::graph_abort(graph_);
    graph_reason_ = e.what();
    drop_graph();
    return false;
  }
  size_t kept = 1;  // the scalar buffer
  for (const Tensor& t : outs) kept += t.defined() ? 1 : 0;
  std::string why;
  graph_outputs_ = std::move(outs);
  if (!cuda::graph_end(graph_, kept, &why)) {
    graph_reason_ = why;
    drop_graph();
    return false;
  }
  graph_fills_ = std::move(sink.scalars);
  staging_.assign(sink.capacity, 0.0);
  graph_addresses_ = input_addresses(in);
  graph_reason_.clear();
  return true;
}

// One launch: this run's per-step scalars uploaded, the graph launched, and its outputs copied
// out (they are overwritten by the next launch). Nothing here waits for the GPU.
std::vector<Tensor> Plan::launch(const Inputs& in) {
  for (const StepScalars& f : graph_fills_) {
    const Step& step = steps_[f.step];
    const char* op = step.op->label != nullptr ? step.op->label : step.op->name;
    PlanArgs args(step, slots_, in, op);
    f.fill(args, staging_.data() + f.offset);
  }
  size_t used = 0;
  for (const StepScalars& f : graph_fills_) used = std::max(used, f.offset + f.count);
  cuda::graph_upload(graph_, graph_scalars_, staging_.data(), used * sizeof(double));
  cuda::graph_launch(graph_);
  std::vector<Tensor> out;
  out.reserve(graph_outputs_.size());
  for (const Tensor& t : graph_outputs_) out.push_back(t.defined() ? t.clone() : Tensor());
  return out;
}

std::vector<Tensor> Plan::run_graph(const Inputs& in) {
  if (graph_ != nullptr && input_addresses(in) != graph_addresses_) {
    // An input was reallocated (a tensor replaced rather than written in place): the graph
    // holds the old addresses, so it is captured again.
    drop_graph();
    if (++recaptures_ > 3) {
      graph_off_ = true;
      graph_reason_ = "the step's input tensors move between runs (captured " +
                      std::to_string(recaptures_) + " times)";
      return run_steps(in, nullptr);
    }
  }
  if (graph_ == nullptr) {
    bool captured = false;
    try {
      captured = graph_eligible(in) && capture(in);
    } catch (const std::exception& e) {  // the graph's stream, events or pool could not be made
      graph_reason_ = e.what();
      drop_graph();
    }
    if (!captured) {
      graph_off_ = true;
      return run_steps(in, nullptr);
    }
  }
  return launch(in);
}

}  // namespace fathom::plan
