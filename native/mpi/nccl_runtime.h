// NCCL for the collectives of CUDA tensors, loaded at run time like MPI (mpi_runtime.h): the
// addon is built without NCCL's header or library. load() opens libnccl.so.2 (FATHOM_NCCL_LIBRARY
// names another file) and resolves the few entry points declared here with the C ABI of nccl.h:
// ncclUniqueId is 128 bytes passed by value, the communicator an opaque pointer, and the result,
// data type and reduction op C ints whose values NVIDIA keeps stable. Where NCCL is missing on
// any rank, CUDA tensors go through host memory and MPI instead (the fallback).
#pragma once
#include <cstdint>
#include <string>

#include "core/dtype.h"

namespace fathom::dist {

class NcclRuntime {
 public:
  static NcclRuntime& instance();

  // Opens libnccl once. True when every entry point resolved; otherwise false, and reason()
  // says why (the file that does not open, or the entry point it lacks).
  bool load();
  bool loaded() const { return loaded_; }
  const std::string& library() const { return library_; }
  const std::string& reason() const { return reason_; }
  // NCCL's version (ncclGetVersion: 22304 for 2.23.4), 0 when unknown.
  int version() const { return version_; }

  // Called by every rank right after MPI init: the job uses NCCL only when every rank loaded it
  // and sees a GPU (an MPI_Allreduce of one int), so that all ranks take the same path.
  void decide(const char* op);
  // Whether CUDA tensors go through NCCL in this job (false before decide()).
  bool in_use() const { return in_use_; }

  // In place on device memory, on the default stream, synchronized before returning. The first
  // call creates the communicator (rank 0's ncclGetUniqueId, broadcast over MPI): a collective,
  // like every call.
  void all_reduce_sum(void* data, int64_t count, DType dtype, const char* op);
  void broadcast(void* data, int64_t count, DType dtype, int root, const char* op);
  // ncclCommDestroy, before MPI_Finalize.
  void finalize();

 private:
  NcclRuntime() = default;
  void* communicator(const char* op);
  void check(int rc, const char* op, const char* call) const;

  bool tried_ = false, loaded_ = false, in_use_ = false;
  int version_ = 0;
  std::string library_, reason_;
  void* lib_ = nullptr;
  void* comm_ = nullptr;

  struct UniqueId {
    char internal[128];  // NCCL_UNIQUE_ID_BYTES
  };
  int (*get_unique_id_)(UniqueId*) = nullptr;
  int (*comm_init_rank_)(void**, int, UniqueId, int) = nullptr;
  int (*all_reduce_)(const void*, void*, size_t, int, int, void*, void*) = nullptr;
  int (*broadcast_)(const void*, void*, size_t, int, int, void*, void*) = nullptr;
  int (*comm_destroy_)(void*) = nullptr;
  const char* (*error_string_)(int) = nullptr;
};

}  // namespace fathom::dist
