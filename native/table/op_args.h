// The one description of an op that both callers use: the N-API binding (eager calls from
// JavaScript) and a compiled plan (replayed steps). An op reads its arguments through OpArgs,
// whichever caller it has, so a compiled step runs exactly the code an eager call runs.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/csr.h"

namespace fathom::table {

// Typed access to argument `i` of the current op call; `arg` names it in error messages.
// Each accessor throws (a JS TypeError for the binding, a fathom::Error for a plan) when
// the argument has the wrong kind.
class OpArgs {
 public:
  virtual ~OpArgs() = default;
  virtual const Tensor& tensor(size_t i, const char* arg) = 0;
  virtual Tensor& mutable_tensor(size_t i, const char* arg) = 0;
  // undefined / null give an undefined Tensor.
  virtual Tensor optional_tensor(size_t i, const char* arg) = 0;
  virtual const Csr& csr(size_t i, const char* arg) = 0;
  virtual double number(size_t i, const char* arg) = 0;
  // An integer in [min, 2^53 - 1] (seeds, counts).
  virtual double integer(size_t i, const char* arg, double min) = 0;
  virtual bool flag(size_t i, const char* arg) = 0;
  virtual std::string text(size_t i, const char* arg) = 0;
  virtual bool present(size_t i) = 0;  // not undefined
  virtual DType dtype(size_t i) = 0;
  virtual Device device(size_t i) = 0;
  virtual Shape shape(size_t i) = 0;
  // Errors about the arguments read after this name `op` (an op that serves several JS ops).
  virtual void name_op(const std::string& op) = 0;

  // A compiled step that captures a CUDA graph (plan/plan.cc) runs each op once, while capturing;
  // later steps launch the graph without calling the op, so an argument that changes from step
  // to step (a dropout seed, the optimizer's learning rate and step count) cannot reach a kernel
  // by value. An op whose kernels can read such scalars from device memory asks for `count`
  // doubles of it here: before every launch the plan refills them with fill(args, out), `args`
  // giving the arguments of that step's run (number(), integer(), flag()). Null outside a capture
  // (eager calls, plain replays): the op passes its scalars by value then. An op that reads a
  // per-step argument during a capture without asking for this makes the capture fail (the plan
  // replays plainly).
  using StepScalarFill = void (*)(OpArgs& args, double* out);
  virtual const double* step_scalars(size_t /*count*/, StepScalarFill /*fill*/) { return nullptr; }
};

// A StepScalarFill for a dropout seed at argument kSeedArg: the uint64 seed's bytes in one
// double, as the kernels' _dev forms read them (dropout, csrDropout, GAT's attention dropout).
template <size_t kSeedArg>
void seed_bits(OpArgs& a, double* out) {
  const auto seed = static_cast<uint64_t>(a.integer(kSeedArg, "seed", 0));
  std::memcpy(out, &seed, sizeof seed);
}

// What an op returns: nothing (it updates a tensor in place), one tensor, or a tuple of
// tensors whose undefined entries are null in JavaScript.
enum class Returns { Nothing, One, Tuple };

using OpFn = std::vector<Tensor> (*)(OpArgs&);

struct OpDef {
  const char* name;
  OpFn fn;
  Returns returns;
  // The op named in errors when it is not `name` (csrDropout is reached only from dropout).
  const char* label = nullptr;
  // A method of a tensor handle (clone, copyFrom ...), argument 0 being the tensor: a plan
  // replays it, the binding exports it as the handle's method instead.
  bool method = false;
};

}  // namespace fathom::table
