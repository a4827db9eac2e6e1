// The MPI runtime (mpi/mpi_runtime.h) before MPI is initialized: every collective refuses with
// ErrorKind::Distributed naming the op, and the kind reaches JS as the code DISTRIBUTED. (Loading
// Open MPI itself is exercised by test/distributed under mpirun.)
#include "check.h"
#include "core/error.h"
#include "mpi/mpi_runtime.h"

namespace {

using fathom::DType;
using fathom::ErrorKind;
using fathom::dist::MpiRuntime;

TEST(mpi_runtime_refuses_collectives_before_init) {
  MpiRuntime& mpi = MpiRuntime::instance();
  CHECK(!mpi.initialized());
  CHECK_EQ(mpi.rank(), 0);
  CHECK_EQ(mpi.size(), 1);
  float x[2] = {1, 2};
  CHECK_FAILS(mpi.all_reduce_sum(x, 2, DType::F32, "allReduce"), ErrorKind::Distributed,
              "allReduce", "initDistributed()");
  CHECK_FAILS(mpi.broadcast(x, 2, DType::F32, 0, "broadcast"), ErrorKind::Distributed, "broadcast");
  CHECK_FAILS(mpi.barrier("barrier"), ErrorKind::Distributed, "barrier");
  // Nothing was touched.
  CHECK_EQ(x[0], 1.0f);
  CHECK_EQ(x[1], 2.0f);
  // finalize() without init is a no-op, safe to repeat.
  mpi.finalize();
  mpi.finalize();
  CHECK(!mpi.initialized());
}

TEST(mpi_runtime_error_kind_has_its_own_code) {
  fathom::Error e(ErrorKind::Distributed, "x");
  CHECK_EQ(std::string(e.code()), std::string("DISTRIBUTED"));
}

}  // namespace
