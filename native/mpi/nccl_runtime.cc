// NCCL through dlopen. Failures are ErrorKind::Distributed naming the op, the NCCL call and
// ncclGetErrorString's text.
#include "nccl_runtime.h"

#include <dlfcn.h>

#include "core/error.h"
#include "core/shared_library.h"
#include "cuda/runtime.h"
#include "mpi_runtime.h"

namespace fathom::dist {

namespace {

constexpr int kSum = 0;  // ncclSum

int nccl_type(DType dtype, const char* op) {
  switch (dtype) {
    case DType::U8:
      return 1;  // ncclUint8
    case DType::I32:
      return 2;  // ncclInt32
    case DType::F32:
      return 7;  // ncclFloat32
    case DType::F64:
      return 8;  // ncclFloat64
  }
  fail(ErrorKind::Type, op, "unknown dtype");
}

template <typename F>
void resolve(void* lib, const char* name, F& out, std::string& missing) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  if (!out && missing.empty()) missing = name;
}

}  // namespace

NcclRuntime& NcclRuntime::instance() {
  static NcclRuntime runtime;
  return runtime;
}

bool NcclRuntime::load() {
  if (tried_) return loaded_;
  tried_ = true;
  OpenedLibrary opened =
      open_first_library("FATHOM_NCCL_LIBRARY", {"libnccl.so.2", "libnccl.so"}, RTLD_NOW,
                         "install NCCL (NVIDIA's libnccl2) for GPU collectives; CUDA tensors go "
                         "through host memory and MPI without it");
  lib_ = opened.handle;
  library_ = opened.name;
  reason_ = opened.reason;
  if (!lib_) return false;
  std::string missing;
  resolve(lib_, "ncclGetUniqueId", get_unique_id_, missing);
  resolve(lib_, "ncclCommInitRank", comm_init_rank_, missing);
  resolve(lib_, "ncclAllReduce", all_reduce_, missing);
  resolve(lib_, "ncclBroadcast", broadcast_, missing);
  resolve(lib_, "ncclCommDestroy", comm_destroy_, missing);
  resolve(lib_, "ncclGetErrorString", error_string_, missing);
  if (!missing.empty()) {
    reason_ = library_ + " lacks " + missing + " (not NCCL 2)";
    library_.clear();
    return false;
  }
  int (*get_version)(int*) = nullptr;
  std::string optional;
  resolve(lib_, "ncclGetVersion", get_version, optional);
  if (get_version && get_version(&version_) != 0) version_ = 0;
  reason_.clear();
  loaded_ = true;
  return true;
}

void NcclRuntime::decide(const char* op) {
  MpiRuntime& mpi = MpiRuntime::instance();
  std::string why;
  int ready = load() && cuda::available(&why) ? 1 : 0;
  mpi.all_reduce_sum(&ready, 1, DType::I32, op);
  in_use_ = ready == mpi.size();
}

void NcclRuntime::check(int rc, const char* op, const char* call) const {
  if (rc == 0) return;
  const char* text = error_string_ ? error_string_(rc) : nullptr;
  fail(ErrorKind::Distributed, op,
       std::string(call) + " failed: " + (text ? text : "error " + std::to_string(rc)));
}

void* NcclRuntime::communicator(const char* op) {
  FATHOM_CHECK(in_use_, ErrorKind::Distributed, op, "NCCL is not in use in this job");
  if (comm_) return comm_;
  MpiRuntime& mpi = MpiRuntime::instance();
  // Rank 0's result travels with the id: when it fails, every rank fails here instead of the
  // others waiting for an id that never comes.
  struct {
    int rc;
    UniqueId id;
  } root{};
  if (mpi.rank() == 0) root.rc = get_unique_id_(&root.id);
  mpi.broadcast(&root, sizeof root, DType::U8, 0, op);
  if (root.rc != 0 && mpi.rank() != 0)
    fail(ErrorKind::Distributed, op, "rank 0's ncclGetUniqueId failed (its error says why)");
  check(root.rc, op, "ncclGetUniqueId");
  void* comm = nullptr;
  check(comm_init_rank_(&comm, mpi.size(), root.id, mpi.rank()), op, "ncclCommInitRank");
  comm_ = comm;
  return comm_;
}

void NcclRuntime::all_reduce_sum(void* data, int64_t count, DType dtype, const char* op) {
  void* comm = communicator(op);
  check(all_reduce_(data, data, static_cast<size_t>(count), nccl_type(dtype, op), kSum, comm,
                    nullptr),
        op, "ncclAllReduce");
  cuda::synchronize();
}

void NcclRuntime::broadcast(void* data, int64_t count, DType dtype, int root, const char* op) {
  void* comm = communicator(op);
  check(
      broadcast_(data, data, static_cast<size_t>(count), nccl_type(dtype, op), root, comm, nullptr),
      op, "ncclBroadcast");
  cuda::synchronize();
}

void NcclRuntime::finalize() {
  if (comm_) comm_destroy_(comm_);
  comm_ = nullptr;
}

}  // namespace fathom::dist
