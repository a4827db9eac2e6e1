// Bindings of the method-suite ops, one file per family (aggr_binding.cc, edge_binding.cc,
// gat_binding.cc, norm_binding.cc, sparse_features_binding.cc, diag_binding.cc); addon.cc
// registers them all.
#pragma once
#include <napi.h>

namespace fathom::napi {
void register_aggr_ops(Napi::Env env, Napi::Object exports);
void register_edge_ops(Napi::Env env, Napi::Object exports);
void register_gat_ops(Napi::Env env, Napi::Object exports);
void register_norm_ops(Napi::Env env, Napi::Object exports);
void register_sparse_feature_ops(Napi::Env env, Napi::Object exports);
void register_diag_ops(Napi::Env env, Napi::Object exports);
// Neighbour sampling for mini-batches (sampler_binding.cc).
void register_sampling(Napi::Env env, Napi::Object exports);
// Data-parallel training over MPI loaded at run time (dist_binding.cc).
void register_distributed(Napi::Env env, Napi::Object exports);
}  // namespace fathom::napi
