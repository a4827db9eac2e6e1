// N-API entry points of the overlapped host-to-device copies a loader uses to move the next batch
// while the current step runs (cuda::copy_to_device_overlapped, docs/partition-batches.md):
// toDeviceOverlapped(tensor, device) and csrToOverlapped(csr, device).
#include "convert.h"
#include "csr_handle.h"
#include "errors.h"
#include "feature_bindings.h"
#include "graph/csr.h"
#include "tensor_handle.h"

namespace fathom::napi {

void register_overlapped_copies(Napi::Env env, Napi::Object exports) {
  export_op(
      env, exports, "toDeviceOverlapped",
      [](const Napi::CallbackInfo& info) {
        const char* op = "toDeviceOverlapped";
        const Tensor& t = TensorHandle::From(info, 0, op, "tensor");
        const Device d = device_arg(info, 1, op);
        return guarded(info.Env(), [&]() -> Napi::Value {
          return TensorHandle::Wrap(info.Env(), t.to_overlapped(d));
        });
      },
      "to");
  export_op(
      env, exports, "csrToOverlapped",
      [](const Napi::CallbackInfo& info) {
        const char* op = "csrToOverlapped";
        const Csr& c = CsrHandle::From(info, 0, op, "csr");
        const Device d = device_arg(info, 1, op);
        return guarded(info.Env(), [&]() -> Napi::Value {
          return CsrHandle::Wrap(info.Env(), csr_to(c, d, true));
        });
      },
      "Graph.to");
}

}  // namespace fathom::napi
