// A compiled step: the ops one traced training (or evaluation) step called, in order, with
// their arguments, replayed without JavaScript. Each op is the op table's entry (native/table),
// the code an eager call runs, so a replay computes what the eager step computes, bit for bit.
// Intermediate tensors live in numbered slots, each released right after its last reader.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/csr.h"
#include "table/op_args.h"

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

class Plan {
 public:
  // Checks every index and that every slot is written before it is read (fathom::Error
  // RANGE naming the step otherwise), and works out when each slot is last read.
  Plan(std::vector<Step> steps, int64_t num_slots, int64_t num_externals, int64_t num_csrs,
       int64_t num_dynamic, std::vector<int64_t> outputs);

  // Runs every step; returns the output slots' tensors. On an error every slot is released.
  std::vector<Tensor> run(const Inputs& in);

  size_t num_steps() const { return steps_.size(); }
  int64_t num_externals() const { return num_externals_; }
  int64_t num_csrs() const { return num_csrs_; }
  int64_t num_dynamic() const { return num_dynamic_; }

 private:
  void check(int64_t num_slots);

  std::vector<Step> steps_;
  std::vector<std::vector<int64_t>> frees_;  // the slots released after each step
  std::vector<int64_t> outputs_;
  std::vector<Tensor> slots_;
  int64_t num_externals_;
  int64_t num_csrs_;
  int64_t num_dynamic_;
};

}  // namespace fathom::plan
