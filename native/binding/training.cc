// Training group: optimizer updates, batch normalization and dropout. Each binding checks its
// arguments with Args (types, lengths, ranges), fills a plain job and runs it now or off the event
// loop (last argument `async`). Argument order: outputs (including in-place state), inputs, then
// dimensions and hyperparameters. Optional state buffers are passed as null.
#include <cfloat>
#include <string>

#include "../kernels/batchnorm.h"
#include "../kernels/dropout.h"
#include "../kernels/optimizer.h"
#include "args.h"
#include "groups.h"
#include "job.h"

namespace faltung::binding {
namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1

// A finite number in [min, max] (max_open: strictly below max).
double number_in(Args& args, size_t index, const char* name, double min, double max, bool max_open = false) {
  const double value = args.number(index, name);
  if (value < min || value > max || (max_open && value == max)) {
    args.range_error(name, "a number in [" + format_number(min) + ", " + format_number(max) + (max_open ? ")" : "]"),
                     format_number(value));
  }
  return value;
}

double non_negative(Args& args, size_t index, const char* name) {
  const double value = args.number(index, name);
  if (value < 0) args.range_error(name, "a finite number >= 0", format_number(value));
  return value;
}

// A Float32Array of `length` elements, or null (nullptr: the option is off).
float* optional_f32(const Napi::CallbackInfo& info, Args& args, size_t index, const char* name, int64_t length) {
  const Napi::Value value = info[index];
  if (value.IsNull()) return nullptr;
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    args.type_error(name, "a Float32Array or null", value);
  }
  return args.f32(index, name, length);
}

// Any finite learning rate that stays finite as a float (negative ones ascend, as Keras allows).
double learning_rate(Args& args, size_t index) {
  return number_in(args, index, "learningRate", -FLT_MAX, FLT_MAX);
}

// clipNorm, clipValue: >= 0, zero meaning off, at most one on (as Keras requires).
GradientClip gradient_clip(Args& args, size_t index) {
  GradientClip clip;
  clip.clip_norm = non_negative(args, index, "clipNorm");
  clip.clip_value = non_negative(args, index + 1, "clipValue");
  if (clip.clip_norm > 0 && clip.clip_value > 0) {
    args.range_error("clipValue", "0 when clipNorm is set (only one clip at a time)", format_number(clip.clip_value));
  }
  return clip;
}

struct SgdJob {
  float* weights;
  const float* gradients;
  int64_t count;
  double learning_rate;
  GradientClip clip;
  Status run() const { return sgd_update_f32(weights, gradients, count, learning_rate, clip); }
};

// sgdUpdate(weights, gradients, learningRate, clipNorm, clipValue, async)
Napi::Value sgd_update(const Napi::CallbackInfo& info) {
  Args args(info, "sgdUpdate", 6);
  SgdJob job{};
  job.count = args.f32_length(0, "weights");
  job.weights = args.f32(0, "weights", job.count);
  job.gradients = args.f32(1, "gradients", job.count);
  job.learning_rate = learning_rate(args, 2);
  job.clip = gradient_clip(args, 3);
  return run_job(args, job, args.boolean(5, "async"));
}

struct MomentumJob {
  float* weights;
  float* velocity;
  const float* gradients;
  int64_t count;
  double learning_rate, momentum;
  bool nesterov;
  GradientClip clip;
  Status run() const {
    return momentum_update_f32(weights, velocity, gradients, count, learning_rate, momentum, nesterov, clip);
  }
};

// momentumUpdate(weights, velocity, gradients, learningRate, momentum, nesterov, clipNorm, clipValue, async)
Napi::Value momentum_update(const Napi::CallbackInfo& info) {
  Args args(info, "momentumUpdate", 9);
  MomentumJob job{};
  job.count = args.f32_length(0, "weights");
  job.weights = args.f32(0, "weights", job.count);
  job.velocity = args.f32(1, "velocity", job.count);
  job.gradients = args.f32(2, "gradients", job.count);
  job.learning_rate = learning_rate(args, 3);
  job.momentum = number_in(args, 4, "momentum", 0.0, 1.0);
  job.nesterov = args.boolean(5, "nesterov");
  job.clip = gradient_clip(args, 6);
  return run_job(args, job, args.boolean(8, "async"));
}

struct AdamJob {
  float* weights;
  float* m;
  float* v;
  float* v_max;
  const float* gradients;
  int64_t count;
  double learning_rate, beta1, beta2, epsilon;
  int64_t step;
  double weight_decay;
  GradientClip clip;
  Status run() const {
    return adam_update_f32(weights, m, v, v_max, gradients, count, learning_rate, beta1, beta2, epsilon, step,
                           weight_decay, clip);
  }
};

// adamUpdate(weights, m, v, vMax | null, gradients, learningRate, beta1, beta2, epsilon, step, weightDecay,
//            clipNorm, clipValue, async)
Napi::Value adam_update(const Napi::CallbackInfo& info) {
  Args args(info, "adamUpdate", 14);
  AdamJob job{};
  job.count = args.f32_length(0, "weights");
  job.weights = args.f32(0, "weights", job.count);
  job.m = args.f32(1, "m", job.count);
  job.v = args.f32(2, "v", job.count);
  job.v_max = optional_f32(info, args, 3, "vMax", job.count);
  job.gradients = args.f32(4, "gradients", job.count);
  job.learning_rate = learning_rate(args, 5);
  job.beta1 = number_in(args, 6, "beta1", 0.0, 1.0, true);
  job.beta2 = number_in(args, 7, "beta2", 0.0, 1.0, true);
  job.epsilon = non_negative(args, 8, "epsilon");
  job.step = args.integer(9, "step", 1, static_cast<int64_t>(kMaxSafeInteger));
  job.weight_decay = non_negative(args, 10, "weightDecay");
  job.clip = gradient_clip(args, 11);
  return run_job(args, job, args.boolean(13, "async"));
}

struct RmspropJob {
  float* weights;
  float* mean_square;
  float* momentum_buffer;
  float* mean_gradient;
  const float* gradients;
  int64_t count;
  double learning_rate, rho, momentum, epsilon;
  GradientClip clip;
  Status run() const {
    return rmsprop_update_f32(weights, mean_square, momentum_buffer, mean_gradient, gradients, count, learning_rate,
                              rho, momentum, epsilon, clip);
  }
};

// rmspropUpdate(weights, meanSquare, momentumBuffer | null, meanGradient | null, gradients, learningRate, rho,
//               momentum, epsilon, clipNorm, clipValue, async)
Napi::Value rmsprop_update(const Napi::CallbackInfo& info) {
  Args args(info, "rmspropUpdate", 12);
  RmspropJob job{};
  job.count = args.f32_length(0, "weights");
  job.weights = args.f32(0, "weights", job.count);
  job.mean_square = args.f32(1, "meanSquare", job.count);
  job.momentum_buffer = optional_f32(info, args, 2, "momentumBuffer", job.count);
  job.mean_gradient = optional_f32(info, args, 3, "meanGradient", job.count);
  job.gradients = args.f32(4, "gradients", job.count);
  job.learning_rate = learning_rate(args, 5);
  job.rho = number_in(args, 6, "rho", 0.0, 1.0);
  job.momentum = number_in(args, 7, "momentum", 0.0, 1.0);
  job.epsilon = non_negative(args, 8, "epsilon");
  job.clip = gradient_clip(args, 9);
  return run_job(args, job, args.boolean(11, "async"));
}

// rows (>= min_rows) and channels of a (rows, channels) tensor, and their product.
int64_t rows_and_channels(Args& args, size_t index, int64_t min_rows, int64_t* rows, int64_t* channels) {
  *rows = args.integer(index, "rows", min_rows, kMaxElements);
  *channels = args.integer(index + 1, "channels", 0, kMaxElements);
  return checked_product(args, "x (rows*channels)", {*rows, *channels});
}

// Batch norm's epsilon: > 0, so a constant channel never divides by zero.
double batchnorm_epsilon(Args& args, size_t index) {
  const double epsilon = args.number(index, "epsilon");
  if (!(epsilon > 0)) args.range_error("epsilon", "a finite number > 0", format_number(epsilon));
  return epsilon;
}

struct BatchnormTrainingJob {
  float* y;
  float* saved_mean;
  float* saved_inv_std;
  float* moving_mean;
  float* moving_variance;
  const float* x;
  const float* gamma;
  const float* beta;
  int64_t rows, channels;
  double momentum, epsilon;
  Status run() const {
    return batchnorm_training_forward_f32(y, saved_mean, saved_inv_std, moving_mean, moving_variance, x, gamma, beta,
                                          rows, channels, momentum, epsilon);
  }
};

// batchNormTraining(y, savedMean, savedInvStd, movingMean, movingVariance, x, gamma, beta, rows, channels,
//                   momentum, epsilon, async)
Napi::Value batchnorm_training(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormTraining", 13);
  BatchnormTrainingJob job{};
  const int64_t size = rows_and_channels(args, 8, 1, &job.rows, &job.channels);
  job.y = args.f32(0, "y", size);
  job.saved_mean = args.f32(1, "savedMean", job.channels);
  job.saved_inv_std = args.f32(2, "savedInvStd", job.channels);
  job.moving_mean = args.f32(3, "movingMean", job.channels);
  job.moving_variance = args.f32(4, "movingVariance", job.channels);
  job.x = args.f32(5, "x", size);
  job.gamma = args.f32(6, "gamma", job.channels);
  job.beta = args.f32(7, "beta", job.channels);
  job.momentum = number_in(args, 10, "momentum", 0.0, 1.0);
  job.epsilon = batchnorm_epsilon(args, 11);
  return run_job(args, job, args.boolean(12, "async"));
}

struct BatchnormInferenceJob {
  float* y;
  const float* x;
  const float* mean;
  const float* variance;
  const float* gamma;
  const float* beta;
  int64_t rows, channels;
  double epsilon;
  Status run() const {
    return batchnorm_inference_f32(y, x, mean, variance, gamma, beta, rows, channels, epsilon);
  }
};

// batchNormInference(y, x, mean, variance, gamma, beta, rows, channels, epsilon, async)
Napi::Value batchnorm_inference(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormInference", 10);
  BatchnormInferenceJob job{};
  const int64_t size = rows_and_channels(args, 6, 0, &job.rows, &job.channels);
  job.y = args.f32(0, "y", size);
  job.x = args.f32(1, "x", size);
  job.mean = args.f32(2, "mean", job.channels);
  job.variance = args.f32(3, "variance", job.channels);
  job.gamma = args.f32(4, "gamma", job.channels);
  job.beta = args.f32(5, "beta", job.channels);
  job.epsilon = batchnorm_epsilon(args, 8);
  return run_job(args, job, args.boolean(9, "async"));
}

struct BatchnormBackwardJob {
  float* dx;
  float* dgamma;
  float* dbeta;
  const float* dy;
  const float* x;
  const float* gamma;
  const float* saved_mean;
  const float* saved_inv_std;
  int64_t rows, channels;
  Status run() const {
    return batchnorm_backward_f32(dx, dgamma, dbeta, dy, x, gamma, saved_mean, saved_inv_std, rows, channels);
  }
};

// batchNormBackward(dx, dgamma, dbeta, dy, x, gamma, savedMean, savedInvStd, rows, channels, async)
Napi::Value batchnorm_backward(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormBackward", 11);
  BatchnormBackwardJob job{};
  const int64_t size = rows_and_channels(args, 8, 1, &job.rows, &job.channels);
  job.dx = args.f32(0, "dx", size);
  job.dgamma = args.f32(1, "dgamma", job.channels);
  job.dbeta = args.f32(2, "dbeta", job.channels);
  job.dy = args.f32(3, "dy", size);
  job.x = args.f32(4, "x", size);
  job.gamma = args.f32(5, "gamma", job.channels);
  job.saved_mean = args.f32(6, "savedMean", job.channels);
  job.saved_inv_std = args.f32(7, "savedInvStd", job.channels);
  return run_job(args, job, args.boolean(10, "async"));
}

struct DropoutForwardJob {
  float* out;
  float* mask;
  const float* x;
  int64_t count;
  double rate;
  uint64_t seed;
  Status run() const { return dropout_forward_f32(out, mask, x, count, rate, seed); }
};

// dropoutForward(out, mask, x, rate, seed, async); seed an integer in [0, 2^53 - 1].
Napi::Value dropout_forward(const Napi::CallbackInfo& info) {
  Args args(info, "dropoutForward", 6);
  DropoutForwardJob job{};
  job.count = args.f32_length(2, "x");
  job.out = args.f32(0, "out", job.count);
  job.mask = args.f32(1, "mask", job.count);
  job.x = args.f32(2, "x", job.count);
  job.rate = number_in(args, 3, "rate", 0.0, 1.0, true);
  job.seed = static_cast<uint64_t>(args.integer(4, "seed", 0, static_cast<int64_t>(kMaxSafeInteger)));
  return run_job(args, job, args.boolean(5, "async"));
}

struct DropoutBackwardJob {
  float* dx;
  const float* dy;
  const float* mask;
  int64_t count;
  Status run() const { return dropout_backward_f32(dx, dy, mask, count); }
};

// dropoutBackward(dx, dy, mask, async)
Napi::Value dropout_backward(const Napi::CallbackInfo& info) {
  Args args(info, "dropoutBackward", 4);
  DropoutBackwardJob job{};
  job.count = args.f32_length(1, "dy");
  job.dx = args.f32(0, "dx", job.count);
  job.dy = args.f32(1, "dy", job.count);
  job.mask = args.f32(2, "mask", job.count);
  return run_job(args, job, args.boolean(3, "async"));
}

}  // namespace

void register_training(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdUpdate", Napi::Function::New(env, sgd_update, "sgdUpdate"));
  exports.Set("momentumUpdate", Napi::Function::New(env, momentum_update, "momentumUpdate"));
  exports.Set("adamUpdate", Napi::Function::New(env, adam_update, "adamUpdate"));
  exports.Set("rmspropUpdate", Napi::Function::New(env, rmsprop_update, "rmspropUpdate"));
  exports.Set("batchNormTraining", Napi::Function::New(env, batchnorm_training, "batchNormTraining"));
  exports.Set("batchNormInference", Napi::Function::New(env, batchnorm_inference, "batchNormInference"));
  exports.Set("batchNormBackward", Napi::Function::New(env, batchnorm_backward, "batchNormBackward"));
  exports.Set("dropoutForward", Napi::Function::New(env, dropout_forward, "dropoutForward"));
  exports.Set("dropoutBackward", Napi::Function::New(env, dropout_backward, "dropoutBackward"));
}

}  // namespace faltung::binding
