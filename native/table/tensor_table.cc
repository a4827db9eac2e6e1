// The dense and sparse tensor ops (ops/ops.h): products, elementwise, activations, dropout,
// losses, reductions, fills and the optimizer updates.
#include <cmath>
#include <cstring>
#include <string>

#include "core/error.h"
#include "core/step_constants.h"
#include "op_table.h"
#include "ops/ops.h"

namespace fathom::table {
namespace {

using Out = std::vector<Tensor>;

template <Tensor (*F)(const Tensor&)>
Out unary(OpArgs& a) {
  return {F(a.tensor(0, "x"))};
}

template <Tensor (*F)(const Tensor&, const Tensor&)>
Out binary(OpArgs& a) {
  return {F(a.tensor(0, "x"), a.tensor(1, "y"))};
}

// A backward with (grad, y) arguments.
template <Tensor (*F)(const Tensor&, const Tensor&)>
Out grad_of(OpArgs& a) {
  return {F(a.tensor(0, "grad"), a.tensor(1, "y"))};
}

Out matmul(OpArgs& a) {
  return {
      ops::matmul(a.tensor(0, "a"), a.tensor(1, "b"), a.flag(2, "transA"), a.flag(3, "transB"))};
}

// spmm(op, edgeValues, x, alpha, selfScale, name?): `name` is the JS op whose SpMM this is
// (propagate, propagateWeighted, matmul), for the error messages.
Out spmm(OpArgs& a) {
  const std::string name = a.present(5) ? a.text(5, "name") : "spmm";
  a.name_op(name);
  return {ops::spmm(a.csr(0, "op"), a.optional_tensor(1, "edgeValues"), a.tensor(2, "x"),
                    a.number(3, "alpha"), a.number(4, "selfScale"), name.c_str())};
}

// spmmSelfTensor(op, x, alpha, selfBase, s, name): SpMM whose self term is selfBase + s for a
// one-element tensor s (GIN's 1 + ε), read by the op so that the caller never reads it.
Out spmm_self_tensor(OpArgs& a) {
  const std::string name = a.text(5, "name");
  a.name_op(name);
  return {ops::spmm_self_tensor(a.csr(0, "op"), a.tensor(1, "x"), a.number(2, "alpha"),
                                a.number(3, "selfBase"), a.tensor(4, "s"), name.c_str())};
}

Out propagate_bias_act(OpArgs& a) {
  return {ops::propagate_bias_act(a.csr(0, "op"), a.tensor(1, "x"), a.optional_tensor(2, "bias"),
                                  a.number(3, "alpha"), a.number(4, "selfScale"),
                                  a.flag(5, "relu"))};
}

Out propagate_bias_act_backward(OpArgs& a) {
  ops::PropagateBiasActGrads g = ops::propagate_bias_act_backward(
      a.csr(0, "opT"), a.tensor(1, "grad"), a.tensor(2, "y"), a.number(3, "alpha"),
      a.number(4, "selfScale"), a.flag(5, "relu"), a.flag(6, "wantX"), a.flag(7, "wantBias"));
  return {std::move(g.dx), std::move(g.dbias)};
}

Out sddmm(OpArgs& a) { return {ops::sddmm(a.csr(0, "op"), a.tensor(1, "a"), a.tensor(2, "b"))}; }

Out axpby(OpArgs& a) {
  return {
      ops::axpby(a.number(0, "alpha"), a.tensor(1, "x"), a.number(2, "beta"), a.tensor(3, "y"))};
}

Out scale(OpArgs& a) { return {ops::scale(a.tensor(0, "x"), a.number(1, "alpha"))}; }

Out add_in_place(OpArgs& a) {
  ops::add_(a.mutable_tensor(0, "x"), a.tensor(1, "y"), a.number(2, "alpha"));
  return {};
}

Out bias_add(OpArgs& a) { return {ops::bias_add(a.tensor(0, "x"), a.tensor(1, "bias"))}; }

Out relu_mask(OpArgs& a) {
  auto [out, mask] = ops::relu_mask(a.tensor(0, "x"));
  return {std::move(out), std::move(mask)};
}

Out relu_backward_mask(OpArgs& a) {
  return {ops::relu_backward_mask(a.tensor(0, "grad"), a.tensor(1, "mask"))};
}

Out dropout(OpArgs& a) {
  const double* seed_dev = a.step_scalars(1, seed_bits<2>);
  auto [out, mask] = ops::dropout(a.tensor(0, "x"), a.number(1, "p"),
                                  static_cast<uint64_t>(a.integer(2, "seed", 0)), seed_dev);
  return {std::move(out), std::move(mask)};
}

Out dropout_backward(OpArgs& a) {
  return {ops::dropout_backward(a.tensor(0, "grad"), a.tensor(1, "mask"), a.number(2, "p"))};
}

Out nll_loss(OpArgs& a) {
  return {ops::nll_loss(a.tensor(0, "logp"), a.tensor(1, "labels"), a.optional_tensor(2, "mask"))};
}

Out nll_loss_backward(OpArgs& a) {
  return {ops::nll_loss_backward(a.tensor(0, "grad"), a.tensor(1, "logp"), a.tensor(2, "labels"),
                                 a.optional_tensor(3, "mask"))};
}

Out expand_scalar(OpArgs& a) {
  return {ops::expand_scalar(a.tensor(0, "s"), a.shape(1), a.number(2, "factor"))};
}

Out scale_by(OpArgs& a) {
  return {ops::scale_by(a.tensor(0, "x"), a.tensor(1, "s"), a.number(2, "factor"))};
}

Out fill(OpArgs& a) {
  return {ops::fill(a.shape(0), a.dtype(1), a.device(2), a.number(3, "value"))};
}

Out cast(OpArgs& a) { return {ops::cast(a.tensor(0, "x"), a.dtype(1))}; }

void adam_constants(OpArgs& a, double* out) {
  const AdamStepConstants c =
      adam_step_constants(a.number(4, "lr"), a.number(5, "beta1"), a.number(6, "beta2"),
                          static_cast<int64_t>(a.number(9, "step")));
  out[0] = c.step_size;
  out[1] = c.bias_correction2_sqrt;
}

void sgd_lr(OpArgs& a, double* out) { out[0] = a.number(3, "lr"); }

Out adam_step(OpArgs& a) {
  ops::AdamOptions o{a.number(4, "lr"),          a.number(5, "beta1"),
                     a.number(6, "beta2"),       a.number(7, "eps"),
                     a.number(8, "weightDecay"), static_cast<int64_t>(a.number(9, "step"))};
  const double* consts_dev = a.step_scalars(2, adam_constants);
  ops::adam_step(a.mutable_tensor(0, "param"), a.tensor(1, "grad"), a.mutable_tensor(2, "m"),
                 a.mutable_tensor(3, "v"), o, consts_dev);
  return {};
}

Out sgd_step(OpArgs& a) {
  ops::SgdOptions o{a.number(3, "lr"),          a.number(4, "momentum"), a.number(5, "dampening"),
                    a.number(6, "weightDecay"), a.flag(7, "nesterov"),   a.flag(8, "first")};
  const double* lr_dev = a.step_scalars(1, sgd_lr);
  ops::sgd_step(a.mutable_tensor(0, "param"), a.tensor(1, "grad"), a.mutable_tensor(2, "buf"), o,
                lr_dev);
  return {};
}

}  // namespace

void add_tensor_ops(std::vector<OpDef>& ops) {
  ops.insert(ops.end(),
             {
                 {"matmul", matmul, Returns::One},
                 {"spmm", spmm, Returns::One},
                 {"spmmSelfTensor", spmm_self_tensor, Returns::One},
                 {"sddmm", sddmm, Returns::One},
                 {"propagateBiasAct", propagate_bias_act, Returns::One},
                 {"propagateBiasActBackward", propagate_bias_act_backward, Returns::Tuple},
                 {"axpby", axpby, Returns::One},
                 {"scale", scale, Returns::One},
                 {"addInPlace", add_in_place, Returns::Nothing},
                 {"add", binary<ops::add>, Returns::One},
                 {"sub", binary<ops::sub>, Returns::One},
                 {"mul", binary<ops::mul>, Returns::One},
                 {"biasAdd", bias_add, Returns::One},
                 {"sumRows", unary<ops::sum_rows>, Returns::One},
                 {"relu", unary<ops::relu>, Returns::One},
                 {"reluBackward", grad_of<ops::relu_backward>, Returns::One},
                 {"reluMask", relu_mask, Returns::Tuple},
                 {"reluBackwardMask", relu_backward_mask, Returns::One},
                 {"dropout", dropout, Returns::Tuple},
                 {"dropoutBackward", dropout_backward, Returns::One},
                 {"logSoftmax", unary<ops::log_softmax>, Returns::One},
                 {"logSoftmaxBackward", grad_of<ops::log_softmax_backward>, Returns::One},
                 {"nllLoss", nll_loss, Returns::One},
                 {"nllLossBackward", nll_loss_backward, Returns::One},
                 {"sum", unary<ops::sum>, Returns::One},
                 {"mean", unary<ops::mean>, Returns::One},
                 {"argmaxRows", unary<ops::argmax_rows>, Returns::One},
                 {"fill", fill, Returns::One},
                 {"expandScalar", expand_scalar, Returns::One},
                 {"scaleBy", scale_by, Returns::One},
                 {"cast", cast, Returns::One},
                 {"adamStep", adam_step, Returns::Nothing},
                 {"sgdStep", sgd_step, Returns::Nothing},
             });
}

}  // namespace fathom::table
