// A compiled step: the ops one traced training (or evaluation) step called, in order, with
// their arguments, replayed without JavaScript. Each op is the op table's entry (native/table),
// the code an eager call runs, so a replay computes what the eager step computes, bit for bit.
// Intermediate tensors live in numbered slots, each released right after its last reader.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/csr.h"
#include "table/op_args.h"

namespace fathom::cuda {
struct Graph;
}

namespace fathom::plan {

enum class ArgKind : uint8_t { Slot, External, Csr, Number, Dynamic, Flag, Text, Shape, Null };

struct Arg {
  ArgKind kind = ArgKind::Null;
  int64_t index = 0;  // of the slot, external, CSR or dynamic scalar
  double number = 0;
  bool flag = false;
  std::string text;
  Shape shape;
};

struct Step {
  const table::OpDef* op = nullptr;
  std::vector<Arg> args;
  std::vector<int64_t> outs;  // the slot of each result; -1 where the step drops it
};

// What a run reads besides its own slots: the caller's tensors and operators (null where the
// caller's handle was disposed) and the scalars that change from step to step.
struct Inputs {
  std::vector<Tensor*> externals;
  std::vector<const Csr*> csrs;
  std::vector<double> dynamic;
};

// The per-step scalars of a captured CUDA graph (table::OpArgs::step_scalars): `count` doubles at
// `offset` of the plan's device buffer, refilled before each launch by `fill` from step `step`'s
// arguments of that run.
struct StepScalars {
  size_t step = 0;
  size_t offset = 0;
  size_t count = 0;
  table::OpArgs::StepScalarFill fill = nullptr;
};

// What PlanArgs records while the plan captures a CUDA graph.
struct CaptureSink {
  double* device = nullptr;  // the plan's per-step scalar buffer
  size_t capacity = 0;       // its length in doubles
  size_t used = 0;
  size_t step = 0;  // the step being captured
  std::vector<StepScalars> scalars;
};

class Plan {
 public:
  // Checks every index and that every slot is written before it is read (fathom::Error
  // RANGE naming the step otherwise), and works out when each slot is last read.
  Plan(std::vector<Step> steps, int64_t num_slots, int64_t num_externals, int64_t num_csrs,
       int64_t num_dynamic, std::vector<int64_t> outputs);

  // Runs every step; returns the output slots' tensors. On an error every slot is released.
  std::vector<Tensor> run(const Inputs& in);

  // CUDA graphs (off by default): on CUDA, the next run is captured as a CUDA graph (when it
  // can be: see docs/compiled-steps.md) and later runs launch it, with the per-step scalars
  // uploaded to a device buffer first and the outputs copied out of the graph's memory. A run
  // that cannot be captured replays plainly and turns graphs off for this plan, with the reason.
  void set_cuda_graph(bool on);
  // A graph is captured and serves the runs.
  bool cuda_graph_active() const { return graph_ != nullptr; }
  // Why graphs are off for this plan (empty when they are active, not asked for, or not tried).
  const std::string& cuda_graph_reason() const { return graph_reason_; }

  ~Plan();
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  size_t num_steps() const { return steps_.size(); }
  int64_t num_externals() const { return num_externals_; }
  int64_t num_csrs() const { return num_csrs_; }
  int64_t num_dynamic() const { return num_dynamic_; }

 private:
  void check(int64_t num_slots);
  void check_inputs(const Inputs& in) const;
  // Runs the steps on the current stream (capturing when sink is set); returns the outputs.
  std::vector<Tensor> run_steps(const Inputs& in, CaptureSink* sink);
  std::vector<Tensor> run_graph(const Inputs& in);
  bool capture(const Inputs& in);
  std::vector<Tensor> launch(const Inputs& in);
  void drop_graph();
  bool graph_eligible(const Inputs& in);
  std::vector<const void*> input_addresses(const Inputs& in) const;

  std::vector<Step> steps_;
  std::vector<std::vector<int64_t>> frees_;  // the slots released after each step
  std::vector<int64_t> outputs_;
  std::vector<Tensor> slots_;
  int64_t num_externals_;
  int64_t num_csrs_;
  int64_t num_dynamic_;

  // CUDA graph state (set_cuda_graph).
  bool graph_wanted_ = false;
  bool graph_off_ = false;  // tried and failed: plain replay from now on
  int recaptures_ = 0;
  std::string graph_reason_;
  cuda::Graph* graph_ = nullptr;
  double* graph_scalars_ = nullptr;  // in the graph's pool
  std::vector<StepScalars> graph_fills_;
  std::vector<double> staging_;
  std::vector<Tensor> graph_outputs_;         // the graph's own output tensors
  std::vector<const void*> graph_addresses_;  // the inputs' memory the graph was captured with
};

}  // namespace fathom::plan
