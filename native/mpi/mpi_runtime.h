// MPI for data-parallel training, loaded at run time: the addon is built without MPI headers or
// libraries and works without MPI installed. load() opens Open MPI's libmpi (ABI of libmpi.so.40)
// with dlopen and resolves the few functions and handles the collectives need; Open MPI's
// predefined handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are exported global objects, so
// their addresses are the handles. One process holds one runtime (MPI is initialized once).
#pragma once
#include <cstdint>
#include <string>

#include "core/dtype.h"

namespace fathom::dist {

class MpiRuntime {
 public:
  // The process's runtime.
  static MpiRuntime& instance();

  // Opens libmpi once (FATHOM_MPI_LIBRARY if set, else libmpi.so.40, else libmpi.so). True when
  // every symbol resolved; otherwise false, and reason() says why.
  bool load();
  bool loaded() const { return loaded_; }
  // The library file that was opened (empty when none).
  const std::string& library() const { return library_; }
  const std::string& reason() const { return reason_; }

  // MPI_Init_thread (funneled: only the thread that initialized calls MPI) on the first call;
  // later calls do nothing. Throws ErrorKind::Distributed when MPI is missing.
  void init();
  bool initialized() const { return initialized_; }
  int rank() const { return rank_; }
  int size() const { return size_; }

  // Element-wise sum over the ranks of `count` values of `dtype` (f32, f64, i32 or u8), in place.
  void all_reduce_sum(void* data, int64_t count, DType dtype, const char* op);
  // Rank `root`'s `count` values of `dtype` into every rank's `data`.
  void broadcast(void* data, int64_t count, DType dtype, int root, const char* op);
  void barrier(const char* op);
  // MPI_Alltoall of one int per rank: send[r] goes to rank r, recv[r] comes from rank r (both
  // size() long).
  void all_to_all_int(const int* send, int* recv, const char* op);
  // MPI_Alltoallv of blocks of `block` consecutive `dtype` values (a feature row): counts and
  // displacements in blocks, one per rank. Counting blocks, not values, keeps MPI's int counts
  // within range for any row width.
  void all_to_all_v(const void* send, const int* send_counts, const int* send_displs, void* recv,
                    const int* recv_counts, const int* recv_displs, DType dtype, int64_t block,
                    const char* op);
  // Ends every rank of the job with `code` (never returns).
  [[noreturn]] void abort(int code);
  // MPI_Finalize when initialized and not yet finalized; safe to call more than once.
  void finalize();

 private:
  MpiRuntime() = default;
  void require_init(const char* op) const;
  void* datatype(DType dtype, const char* op) const;
  void check(int rc, const char* op, const char* call) const;

  bool tried_ = false, loaded_ = false, initialized_ = false, finalized_ = false;
  int rank_ = 0, size_ = 1;
  std::string library_, reason_;
  void* lib_ = nullptr;

  // Function pointers; handles are void* (Open MPI's are pointers to its predefined objects).
  int (*init_thread_)(int*, char***, int, int*) = nullptr;
  int (*initialized_fn_)(int*) = nullptr;
  int (*finalized_fn_)(int*) = nullptr;
  int (*comm_rank_)(void*, int*) = nullptr;
  int (*comm_size_)(void*, int*) = nullptr;
  int (*allreduce_)(const void*, void*, int, void*, void*, void*) = nullptr;
  int (*bcast_)(void*, int, void*, int, void*) = nullptr;
  int (*barrier_)(void*) = nullptr;
  int (*alltoall_)(const void*, int, void*, void*, int, void*, void*) = nullptr;
  int (*alltoallv_)(const void*, const int*, const int*, void*, void*, const int*, const int*,
                    void*, void*) = nullptr;
  int (*type_contiguous_)(int, void*, void**) = nullptr;
  int (*type_commit_)(void**) = nullptr;
  int (*type_free_)(void**) = nullptr;
  int (*abort_)(void*, int) = nullptr;
  int (*finalize_)() = nullptr;
  int (*error_string_)(int, char*, int*) = nullptr;
  void *comm_world_ = nullptr, *op_sum_ = nullptr;
  void *float_ = nullptr, *double_ = nullptr, *int_ = nullptr, *byte_ = nullptr;
};

}  // namespace fathom::dist
