// denseForward(out, x, w, bias|null, N, I, U, async)
// denseBackward(dx|null, dw, dbias|null, dy, x, w, N, I, U, accumulate, async)
#include "../kernels/dense.h"
#include "args.h"
#include "groups.h"
#include "job.h"

namespace faltung::binding {
namespace {

struct DenseDims {
  int64_t N, I, U;
};

DenseDims read_dims(Args& args, size_t first) {
  DenseDims dims{};
  dims.N = args.integer(first, "N", 0, kMaxElements);
  dims.I = args.integer(first + 1, "I", 0, kMaxElements);
  dims.U = args.integer(first + 2, "U", 0, kMaxElements);
  return dims;
}

struct DenseForwardJob {
  float* out;
  const float* x;
  const float* w;
  const float* bias;
  DenseDims dims;
  Status run() const { return dense_forward_f32(out, x, w, bias, dims.N, dims.I, dims.U); }
};

struct DenseBackwardJob {
  float* dx;
  float* dw;
  float* dbias;
  const float* dy;
  const float* x;
  const float* w;
  DenseDims dims;
  bool accumulate;
  Status run() const {
    return dense_backward_f32(dx, dw, dbias, dy, x, w, dims.N, dims.I, dims.U, accumulate);
  }
};

Napi::Value dense_forward(const Napi::CallbackInfo& info) {
  Args args(info, "denseForward", 8);
  DenseForwardJob job{};
  job.dims = read_dims(args, 4);
  const auto [N, I, U] = job.dims;
  job.out = args.f32(0, "out", checked_product(args, "out (N*U)", {N, U}));
  job.x = args.f32(1, "x", checked_product(args, "x (N*I)", {N, I}));
  job.w = args.f32(2, "w", checked_product(args, "w (I*U)", {I, U}));
  job.bias = args.f32_or_null(3, "bias", U);
  return run_job(args, job, args.boolean(7, "async"));
}

Napi::Value dense_backward(const Napi::CallbackInfo& info) {
  Args args(info, "denseBackward", 11);
  DenseBackwardJob job{};
  job.dims = read_dims(args, 6);
  const auto [N, I, U] = job.dims;
  job.dx = args.f32_or_null(0, "dx", checked_product(args, "dx (N*I)", {N, I}));
  job.dw = args.f32(1, "dw", checked_product(args, "dw (I*U)", {I, U}));
  job.dbias = args.f32_or_null(2, "dbias", U);
  job.dy = args.f32(3, "dy", checked_product(args, "dy (N*U)", {N, U}));
  job.x = args.f32(4, "x", checked_product(args, "x (N*I)", {N, I}));
  job.w = args.f32(5, "w", checked_product(args, "w (I*U)", {I, U}));
  job.accumulate = args.boolean(9, "accumulate");
  return run_job(args, job, args.boolean(10, "async"));
}

}  // namespace

void register_dense(Napi::Env env, Napi::Object exports) {
  exports.Set("denseForward", Napi::Function::New(env, dense_forward, "denseForward"));
  exports.Set("denseBackward", Napi::Function::New(env, dense_backward, "denseBackward"));
}

}  // namespace faltung::binding
