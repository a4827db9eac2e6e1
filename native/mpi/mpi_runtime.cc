// Open MPI through dlopen. Collectives larger than an int of elements go in chunks (MPI counts
// are int). Errors keep MPI's default handler on MPI_COMM_WORLD (errors are fatal to the job), so
// a collective that returns at all has succeeded; check() guards against handlers set otherwise.
#include "mpi_runtime.h"

#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <thread>

#include "core/error.h"
#include "core/shared_library.h"

namespace fathom::dist {

namespace {

constexpr int kThreadFunneled = 1;                  // MPI_THREAD_FUNNELED in every MPI
constexpr int64_t kChunk = 1LL << 30;               // elements per collective call (< INT_MAX)
void* const kInPlace = reinterpret_cast<void*>(1);  // Open MPI's MPI_IN_PLACE

template <typename F>
bool resolve(void* lib, const char* name, F& out, std::string& missing) {
  out = reinterpret_cast<F>(dlsym(lib, name));
  if (!out && missing.empty()) missing = name;
  return out != nullptr;
}

}  // namespace

MpiRuntime& MpiRuntime::instance() {
  static MpiRuntime runtime;
  return runtime;
}

bool MpiRuntime::load() {
  if (tried_) return loaded_;
  tried_ = true;
  // FATHOM_MPI_LIBRARY names the one library to use (a non-default Open MPI install).
  // RTLD_GLOBAL: Open MPI's own plugins (loaded later by dlopen) resolve libmpi's symbols.
  OpenedLibrary opened = open_first_library(
      "FATHOM_MPI_LIBRARY", {"libmpi.so.40", "libmpi.so"}, RTLD_NOW | RTLD_GLOBAL,
      "install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev)");
  lib_ = opened.handle;
  library_ = opened.name;
  reason_ = opened.reason;
  if (!lib_) return false;
  std::string missing;
  resolve(lib_, "MPI_Init_thread", init_thread_, missing);
  resolve(lib_, "MPI_Initialized", initialized_fn_, missing);
  resolve(lib_, "MPI_Finalized", finalized_fn_, missing);
  resolve(lib_, "MPI_Comm_rank", comm_rank_, missing);
  resolve(lib_, "MPI_Comm_size", comm_size_, missing);
  resolve(lib_, "MPI_Allreduce", allreduce_, missing);
  resolve(lib_, "MPI_Bcast", bcast_, missing);
  resolve(lib_, "MPI_Barrier", barrier_, missing);
  resolve(lib_, "MPI_Alltoall", alltoall_, missing);
  resolve(lib_, "MPI_Alltoallv", alltoallv_, missing);
  resolve(lib_, "MPI_Type_contiguous", type_contiguous_, missing);
  resolve(lib_, "MPI_Type_commit", type_commit_, missing);
  resolve(lib_, "MPI_Type_free", type_free_, missing);
  resolve(lib_, "MPI_Abort", abort_, missing);
  resolve(lib_, "MPI_Finalize", finalize_, missing);
  resolve(lib_, "MPI_Error_string", error_string_, missing);
  // The handles of Open MPI's ABI; another MPI (MPICH's libmpi.so.12) has none of them.
  resolve(lib_, "ompi_mpi_comm_world", comm_world_, missing);
  resolve(lib_, "ompi_mpi_op_sum", op_sum_, missing);
  resolve(lib_, "ompi_mpi_float", float_, missing);
  resolve(lib_, "ompi_mpi_double", double_, missing);
  resolve(lib_, "ompi_mpi_int", int_, missing);
  resolve(lib_, "ompi_mpi_unsigned_char", byte_, missing);
  if (!missing.empty()) {
    reason_ = library_ + " lacks " + missing + " (Fathom needs Open MPI's libmpi.so.40)";
    library_.clear();
    return false;
  }
  reason_.clear();
  loaded_ = true;
  return true;
}

void MpiRuntime::init() {
  if (initialized_) return;
  const char* op = "initDistributed";
  FATHOM_CHECK(load(), ErrorKind::Distributed, op, "MPI is not available: " + reason_);
  int already = 0;
  check(initialized_fn_(&already), op, "MPI_Initialized");
  if (!already) {
    int provided = 0;
    check(init_thread_(nullptr, nullptr, kThreadFunneled, &provided), op, "MPI_Init_thread");
  }
  check(comm_rank_(comm_world_, &rank_), op, "MPI_Comm_rank");
  check(comm_size_(comm_world_, &size_), op, "MPI_Comm_size");
  initialized_ = true;
}

void MpiRuntime::require_init(const char* op) const {
  FATHOM_CHECK(initialized_, ErrorKind::Distributed, op,
               "MPI is not initialized; call initDistributed() first");
  FATHOM_CHECK(!finalized_, ErrorKind::Distributed, op, "MPI was already finalized");
}

void* MpiRuntime::datatype(DType dtype, const char* op) const {
  switch (dtype) {
    case DType::F32:
      return float_;
    case DType::F64:
      return double_;
    case DType::I32:
      return int_;
    case DType::U8:
      return byte_;
  }
  fail(ErrorKind::Type, op, "unknown dtype");
}

void MpiRuntime::check(int rc, const char* op, const char* call) const {
  if (rc == 0) return;
  char text[512] = {0};
  int len = 0;
  std::string why = "error " + std::to_string(rc);
  if (error_string_ && error_string_(rc, text, &len) == 0) why = std::string(text, len);
  fail(ErrorKind::Distributed, op, std::string(call) + " failed: " + why);
}

void MpiRuntime::all_reduce_sum(void* data, int64_t count, DType dtype, const char* op) {
  require_init(op);
  void* type = datatype(dtype, op);
  char* p = static_cast<char*>(data);
  const size_t width = dtype_size(dtype);
  for (int64_t at = 0; at < count; at += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, count - at));
    check(allreduce_(kInPlace, p + at * width, n, type, op_sum_, comm_world_), op, "MPI_Allreduce");
  }
}

void MpiRuntime::broadcast(void* data, int64_t count, DType dtype, int root, const char* op) {
  require_init(op);
  FATHOM_CHECK(
      root >= 0 && root < size_, ErrorKind::Range, op,
      "root " + std::to_string(root) + " is not a rank of a world of " + std::to_string(size_));
  void* type = datatype(dtype, op);
  char* p = static_cast<char*>(data);
  const size_t width = dtype_size(dtype);
  for (int64_t at = 0; at < count; at += kChunk) {
    const int n = static_cast<int>(std::min(kChunk, count - at));
    check(bcast_(p + at * width, n, type, root, comm_world_), op, "MPI_Bcast");
  }
}

void MpiRuntime::barrier(const char* op) {
  require_init(op);
  check(barrier_(comm_world_), op, "MPI_Barrier");
}

void MpiRuntime::all_to_all_int(const int* send, int* recv, const char* op) {
  require_init(op);
  check(alltoall_(send, 1, int_, recv, 1, int_, comm_world_), op, "MPI_Alltoall");
}

void MpiRuntime::all_to_all_v(const void* send, const int* send_counts, const int* send_displs,
                              void* recv, const int* recv_counts, const int* recv_displs,
                              DType dtype, int64_t block, const char* op) {
  require_init(op);
  FATHOM_CHECK(block >= 1 && block <= std::numeric_limits<int>::max(), ErrorKind::Range, op,
               "a block of " + std::to_string(block) + " values is not in [1, 2^31)");
  void* type = datatype(dtype, op);
  void* row = type;
  if (block > 1) {
    check(type_contiguous_(static_cast<int>(block), type, &row), op, "MPI_Type_contiguous");
    check(type_commit_(&row), op, "MPI_Type_commit");
  }
  const int rc = alltoallv_(send, send_counts, send_displs, row, recv, recv_counts, recv_displs,
                            row, comm_world_);
  if (block > 1) type_free_(&row);
  check(rc, op, "MPI_Alltoallv");
}

void MpiRuntime::abort(int code) {
  if (initialized_ && !finalized_) {
    // mpirun forwards a rank's output asynchronously and MPI_Abort tears the job down at once:
    // give it a moment to pass on the error this rank just printed.
    std::fflush(stderr);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    abort_(comm_world_, code);
  }
  std::_Exit(code);
}

void MpiRuntime::finalize() {
  if (!initialized_ || finalized_) return;
  finalized_ = true;
  int done = 0;
  if (finalized_fn_(&done) == 0 && !done) finalize_();
}

}  // namespace fathom::dist
