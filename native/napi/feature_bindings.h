// Bindings of the ops outside the op table (native/table): those that answer numbers or CSRs
// (sparse_features_binding.cc, diag_binding.cc) and the sampler; addon.cc registers them all.
#pragma once
#include <napi.h>

namespace fathom::napi {
void register_sparse_feature_ops(Napi::Env env, Napi::Object exports);
void register_diag_ops(Napi::Env env, Napi::Object exports);
// Neighbour sampling for mini-batches (sampler_binding.cc).
void register_sampling(Napi::Env env, Napi::Object exports);
// Data-parallel training over MPI loaded at run time (dist_binding.cc).
void register_distributed(Napi::Env env, Napi::Object exports);
// Graph partitioning with METIS loaded at run time (metis_binding.cc).
void register_metis(Napi::Env env, Napi::Object exports);
// Host-to-device copies overlapping the running step, for loaders (overlap_binding.cc).
void register_overlapped_copies(Napi::Env env, Napi::Object exports);
}  // namespace fathom::napi
