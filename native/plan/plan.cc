#include "plan.h"

#include "core/error.h"
#include "core/op_label.h"
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

std::vector<Tensor> Plan::run(const Inputs& in) {
  FATHOM_CHECK(static_cast<int64_t>(in.externals.size()) == num_externals_ &&
                   static_cast<int64_t>(in.csrs.size()) == num_csrs_ &&
                   static_cast<int64_t>(in.dynamic.size()) == num_dynamic_,
               ErrorKind::Range, kOp,
               "the run has " + std::to_string(in.externals.size()) + " inputs, " +
                   std::to_string(in.csrs.size()) + " operators and " +
                   std::to_string(in.dynamic.size()) + " scalars; the plan needs " +
                   std::to_string(num_externals_) + ", " + std::to_string(num_csrs_) + " and " +
                   std::to_string(num_dynamic_));
  try {
    for (size_t s = 0; s < steps_.size(); ++s) {
      const Step& step = steps_[s];
      const char* op = step.op->label != nullptr ? step.op->label : step.op->name;
      OpLabel label(op);
      PlanArgs args(step, slots_, in, op);
      std::vector<Tensor> results = step.op->fn(args);
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

}  // namespace fathom::plan
