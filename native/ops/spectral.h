// Spectral normalization of a weight (lipschitz normalization, docs/methods.md §2.5), composed of
// the core ops so that it runs on every device: the power iteration, Ŵ = c·W/σ with σ = uᵀWv, and
// its backward. The vectors u [out, 1] and v [in, 1] are f64 on W's device; σ and the dot
// products are taken in f64 whatever W's dtype.
#pragma once
#include "../core/tensor.h"

namespace fathom::ops {

// One power-iteration step, in place: u ← W v / ‖W v‖, then v ← Wᵀ u / ‖Wᵀ u‖ (a zero vector
// stays zero).
void power_iteration_(const Tensor& w, Tensor& u, Tensor& v);
// c·W/σ in W's dtype; a FathomError NUMERIC when |σ| ≤ 1e-12 (a zero weight).
Tensor spectral_normalize(const Tensor& w, const Tensor& u, const Tensor& v, double c);
// ∂L/∂W = (G − ⟨G, W⟩/σ · u vᵀ)·c/σ, u and v treated as constants; all NaN when the upstream
// gradient is not finite (so that the caller's checks see it).
Tensor spectral_normalize_backward(const Tensor& grad, const Tensor& w, const Tensor& u,
                                   const Tensor& v, double c);

}  // namespace fathom::ops
