// convForward(y, x, filter, bias|null, geometry, relu, async)
// convBackwardInput(dx, dy, filter, geometry, async)
// convBackwardFilter(dfilter, x, dy, geometry, async)
// convBackwardBias(dbias, dy, rows, channels, async)
// convBackwardFilterBias(dfilter, dbias, x, dy, geometry, async): both in one pass over dy
// geometry: the packed Int32Array of native/kernels/im2col.h. Output extents are derived here from
// the geometry, never taken from JS, and every array length is checked against them.
#include <string>

#include "../kernels/conv.h"
#include "args.h"
#include "geometry_args.h"
#include "groups.h"
#include "job.h"

namespace faltung::binding {
namespace {

struct Sizes {
  int64_t x, y, filter;
};

Sizes checked_sizes(const Args& args, const ConvGeometry& g) {
  Sizes sizes{};
  sizes.x = checked_product(args, "x (N*D*H*W*C)",
                            {g.batch, g.in[0], g.in[1], g.in[2], g.in_channels});
  sizes.y = checked_product(args, "y (N*OD*OH*OW*OC)",
                            {g.batch, g.out[0], g.out[1], g.out[2], g.out_channels});
  sizes.filter = checked_product(args, "filter (KD*KH*KW*C*OC)",
                                 {g.kernel[0], g.kernel[1], g.kernel[2], g.in_channels, g.out_channels});
  return sizes;
}

struct ForwardJob {
  float* y;
  const float* x;
  const float* filter;
  const float* bias;
  ConvGeometry geometry;
  bool relu;
  Status run() const { return conv_forward_f32(y, x, filter, bias, geometry, relu); }
};

struct BackwardInputJob {
  float* dx;
  const float* dy;
  const float* filter;
  ConvGeometry geometry;
  Status run() const { return conv_backward_input_f32(dx, dy, filter, geometry); }
};

struct BackwardFilterJob {
  float* dfilter;
  const float* x;
  const float* dy;
  ConvGeometry geometry;
  Status run() const { return conv_backward_filter_f32(dfilter, x, dy, geometry); }
};

struct BackwardFilterBiasJob {
  float* dfilter;
  float* dbias;
  const float* x;
  const float* dy;
  ConvGeometry geometry;
  Status run() const { return conv_backward_filter_bias_f32(dfilter, dbias, x, dy, geometry); }
};

struct BackwardBiasJob {
  float* dbias;
  const float* dy;
  int64_t rows, channels;
  Status run() const { return conv_backward_bias_f32(dbias, dy, rows, channels); }
};

Napi::Value conv_forward(const Napi::CallbackInfo& info) {
  Args args(info, "convForward", 7);
  ForwardJob job{};
  job.geometry = read_geometry(args, 4);
  const Sizes sizes = checked_sizes(args, job.geometry);
  job.y = args.f32(0, "y", sizes.y);
  job.x = args.f32(1, "x", sizes.x);
  job.filter = args.f32(2, "filter", sizes.filter);
  job.bias = args.f32_or_null(3, "bias", job.geometry.out_channels);
  job.relu = args.boolean(5, "relu");
  return run_job(args, job, args.boolean(6, "async"));
}

Napi::Value conv_backward_input(const Napi::CallbackInfo& info) {
  Args args(info, "convBackwardInput", 5);
  BackwardInputJob job{};
  job.geometry = read_geometry(args, 3);
  const Sizes sizes = checked_sizes(args, job.geometry);
  job.dx = args.f32(0, "dx", sizes.x);
  job.dy = args.f32(1, "dy", sizes.y);
  job.filter = args.f32(2, "filter", sizes.filter);
  return run_job(args, job, args.boolean(4, "async"));
}

Napi::Value conv_backward_filter(const Napi::CallbackInfo& info) {
  Args args(info, "convBackwardFilter", 5);
  BackwardFilterJob job{};
  job.geometry = read_geometry(args, 3);
  const Sizes sizes = checked_sizes(args, job.geometry);
  job.dfilter = args.f32(0, "dfilter", sizes.filter);
  job.x = args.f32(1, "x", sizes.x);
  job.dy = args.f32(2, "dy", sizes.y);
  return run_job(args, job, args.boolean(4, "async"));
}

Napi::Value conv_backward_bias(const Napi::CallbackInfo& info) {
  Args args(info, "convBackwardBias", 5);
  BackwardBiasJob job{};
  job.rows = args.integer(2, "rows", 0, kMaxElements);
  job.channels = args.integer(3, "channels", 1, kMaxElements);
  job.dbias = args.f32(0, "dbias", job.channels);
  job.dy = args.f32(1, "dy", checked_product(args, "dy (rows*channels)", {job.rows, job.channels}));
  return run_job(args, job, args.boolean(4, "async"));
}

Napi::Value conv_backward_filter_bias(const Napi::CallbackInfo& info) {
  Args args(info, "convBackwardFilterBias", 6);
  BackwardFilterBiasJob job{};
  job.geometry = read_geometry(args, 4);
  const Sizes sizes = checked_sizes(args, job.geometry);
  job.dfilter = args.f32(0, "dfilter", sizes.filter);
  job.dbias = args.f32(1, "dbias", job.geometry.out_channels);
  job.x = args.f32(2, "x", sizes.x);
  job.dy = args.f32(3, "dy", sizes.y);
  return run_job(args, job, args.boolean(5, "async"));
}

}  // namespace

void register_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("convForward", Napi::Function::New(env, conv_forward, "convForward"));
  exports.Set("convBackwardInput", Napi::Function::New(env, conv_backward_input, "convBackwardInput"));
  exports.Set("convBackwardFilter", Napi::Function::New(env, conv_backward_filter, "convBackwardFilter"));
  exports.Set("convBackwardBias", Napi::Function::New(env, conv_backward_bias, "convBackwardBias"));
  exports.Set("convBackwardFilterBias",
              Napi::Function::New(env, conv_backward_filter_bias, "convBackwardFilterBias"));
}

}  // namespace faltung::binding
