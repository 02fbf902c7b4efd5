// maxPoolForward(y, x, geometry, async)        avgPoolForward(y, x, geometry, async)
// maxPoolBackward(dx, dy, x, geometry, async)  avgPoolBackward(dx, dy, geometry, async)
// globalAvgPoolForward(y, x, N, S, C, async)   globalMaxPoolForward(y, x, N, S, C, async)
// globalAvgPoolBackward(dx, dy, N, S, C, async) globalMaxPoolBackward(dx, dy, x, N, S, C, async)
// geometry: the packed Int32Array of native/kernels/im2col.h (output channels = input channels,
// dilation 1, pads smaller than the window). Array lengths are checked against it here.
#include <string>

#include "../kernels/pool.h"
#include "args.h"
#include "geometry_args.h"
#include "groups.h"
#include "job.h"

namespace faltung::binding {
namespace {

ConvGeometry read_pool_geometry(Args& args, size_t index) {
  ConvGeometry geometry = read_geometry(args, index);
  if (check_pool_geometry(geometry) != Status::ok) {
    args.range_error("geometry",
                     "a pooling window (output channels = input channels, dilation 1, pads "
                     "smaller than the window)",
                     "a geometry that is not one");
  }
  if (geometry.window() > kMaxPoolWindow) {
    args.range_error("geometry", "a pooling window of at most " + std::to_string(kMaxPoolWindow) + " cells",
                     std::to_string(geometry.window()) + " cells");
  }
  return geometry;
}

struct Sizes {
  int64_t x, y;
};

Sizes checked_sizes(const Args& args, const ConvGeometry& g) {
  Sizes sizes{};
  sizes.x = checked_product(args, "x (N*D*H*W*C)",
                            {g.batch, g.in[0], g.in[1], g.in[2], g.in_channels});
  sizes.y = checked_product(args, "y (N*OD*OH*OW*C)",
                            {g.batch, g.out[0], g.out[1], g.out[2], g.in_channels});
  checked_product(args, "window (KD*KH*KW*C)",
                  {g.kernel[0], g.kernel[1], g.kernel[2], g.in_channels});
  return sizes;
}

enum class Kind { max, average };

struct ForwardJob {
  Kind kind;
  float* y;
  const float* x;
  ConvGeometry geometry;
  Status run() const {
    return kind == Kind::max ? max_pool_forward_f32(y, x, geometry)
                             : avg_pool_forward_f32(y, x, geometry);
  }
};

struct BackwardJob {
  Kind kind;
  float* dx;
  const float* dy;
  const float* x;  // max only
  ConvGeometry geometry;
  Status run() const {
    return kind == Kind::max ? max_pool_backward_f32(dx, dy, x, geometry)
                             : avg_pool_backward_f32(dx, dy, geometry);
  }
};

struct GlobalJob {
  Kind kind;
  bool backward;
  float* out;          // y (N,C) forward, dx (N,S,C) backward
  const float* in;     // x forward, dy backward
  const float* x;      // max backward only
  int64_t batch, positions, channels;
  Status run() const {
    if (!backward) {
      return kind == Kind::max
                 ? global_max_pool_forward_f32(out, in, batch, positions, channels)
                 : global_avg_pool_forward_f32(out, in, batch, positions, channels);
    }
    return kind == Kind::max
               ? global_max_pool_backward_f32(out, in, x, batch, positions, channels)
               : global_avg_pool_backward_f32(out, in, batch, positions, channels);
  }
};

Napi::Value pool_forward(const Napi::CallbackInfo& info, const char* name, Kind kind) {
  Args args(info, name, 4);
  ForwardJob job{};
  job.kind = kind;
  job.geometry = read_pool_geometry(args, 2);
  const Sizes sizes = checked_sizes(args, job.geometry);
  job.y = args.f32(0, "y", sizes.y);
  job.x = args.f32(1, "x", sizes.x);
  return run_job(args, job, args.boolean(3, "async"));
}

Napi::Value max_pool_forward(const Napi::CallbackInfo& info) {
  return pool_forward(info, "maxPoolForward", Kind::max);
}

Napi::Value avg_pool_forward(const Napi::CallbackInfo& info) {
  return pool_forward(info, "avgPoolForward", Kind::average);
}

Napi::Value max_pool_backward(const Napi::CallbackInfo& info) {
  Args args(info, "maxPoolBackward", 5);
  BackwardJob job{};
  job.kind = Kind::max;
  job.geometry = read_pool_geometry(args, 3);
  const Sizes sizes = checked_sizes(args, job.geometry);
  job.dx = args.f32(0, "dx", sizes.x);
  job.dy = args.f32(1, "dy", sizes.y);
  job.x = args.f32(2, "x", sizes.x);
  return run_job(args, job, args.boolean(4, "async"));
}

Napi::Value avg_pool_backward(const Napi::CallbackInfo& info) {
  Args args(info, "avgPoolBackward", 4);
  BackwardJob job{};
  job.kind = Kind::average;
  job.geometry = read_pool_geometry(args, 2);
  const Sizes sizes = checked_sizes(args, job.geometry);
  job.dx = args.f32(0, "dx", sizes.x);
  job.dy = args.f32(1, "dy", sizes.y);
  job.x = nullptr;
  return run_job(args, job, args.boolean(3, "async"));
}

// Reads N, S, C from `first` on; returns the (N*S*C, N*C) sizes.
void read_global_dims(Args& args, size_t first, GlobalJob* job, int64_t* full, int64_t* pooled) {
  job->batch = args.integer(first, "N", 0, kMaxElements);
  job->positions = args.integer(first + 1, "S", 1, kMaxElements);
  job->channels = args.integer(first + 2, "C", 1, kMaxElements);
  *full = checked_product(args, "x (N*S*C)", {job->batch, job->positions, job->channels});
  *pooled = checked_product(args, "y (N*C)", {job->batch, job->channels});
}

Napi::Value global_forward(const Napi::CallbackInfo& info, const char* name, Kind kind) {
  Args args(info, name, 6);
  GlobalJob job{};
  job.kind = kind;
  job.backward = false;
  int64_t full = 0, pooled = 0;
  read_global_dims(args, 2, &job, &full, &pooled);
  job.out = args.f32(0, "y", pooled);
  job.in = args.f32(1, "x", full);
  return run_job(args, job, args.boolean(5, "async"));
}

Napi::Value global_avg_forward(const Napi::CallbackInfo& info) {
  return global_forward(info, "globalAvgPoolForward", Kind::average);
}

Napi::Value global_max_forward(const Napi::CallbackInfo& info) {
  return global_forward(info, "globalMaxPoolForward", Kind::max);
}

Napi::Value global_avg_backward(const Napi::CallbackInfo& info) {
  Args args(info, "globalAvgPoolBackward", 6);
  GlobalJob job{};
  job.kind = Kind::average;
  job.backward = true;
  int64_t full = 0, pooled = 0;
  read_global_dims(args, 2, &job, &full, &pooled);
  job.out = args.f32(0, "dx", full);
  job.in = args.f32(1, "dy", pooled);
  return run_job(args, job, args.boolean(5, "async"));
}

Napi::Value global_max_backward(const Napi::CallbackInfo& info) {
  Args args(info, "globalMaxPoolBackward", 7);
  GlobalJob job{};
  job.kind = Kind::max;
  job.backward = true;
  int64_t full = 0, pooled = 0;
  read_global_dims(args, 3, &job, &full, &pooled);
  job.out = args.f32(0, "dx", full);
  job.in = args.f32(1, "dy", pooled);
  job.x = args.f32(2, "x", full);
  return run_job(args, job, args.boolean(6, "async"));
}

}  // namespace

void register_pool(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPoolForward", Napi::Function::New(env, max_pool_forward, "maxPoolForward"));
  exports.Set("avgPoolForward", Napi::Function::New(env, avg_pool_forward, "avgPoolForward"));
  exports.Set("maxPoolBackward", Napi::Function::New(env, max_pool_backward, "maxPoolBackward"));
  exports.Set("avgPoolBackward", Napi::Function::New(env, avg_pool_backward, "avgPoolBackward"));
  exports.Set("globalAvgPoolForward", Napi::Function::New(env, global_avg_forward, "globalAvgPoolForward"));
  exports.Set("globalMaxPoolForward", Napi::Function::New(env, global_max_forward, "globalMaxPoolForward"));
  exports.Set("globalAvgPoolBackward", Napi::Function::New(env, global_avg_backward, "globalAvgPoolBackward"));
  exports.Set("globalMaxPoolBackward", Napi::Function::New(env, global_max_backward, "globalMaxPoolBackward"));
}

}  // namespace faltung::binding
