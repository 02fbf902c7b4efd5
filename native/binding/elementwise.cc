// Elementwise group: activations, softmax and losses. Each binding checks its arguments with Args
// (types, lengths against the dimensions, ranges), fills a plain job and runs it now or off the
// event loop (last argument `async`). Argument order: outputs, inputs, then dimensions/options.
#include <cfloat>
#include <string>

#include "../kernels/activation.h"
#include "../kernels/loss.h"
#include "args.h"
#include "groups.h"
#include "job.h"

namespace faltung::binding {
namespace {

// A finite number in [min, max]; the bounds keep float conversions finite.
double number_in(Args& args, size_t index, const char* name, double min, double max) {
  const double value = args.number(index, name);
  if (value < min || value > max) {
    args.range_error(name, "a number in [" + format_number(min) + ", " + format_number(max) + "]",
                     format_number(value));
  }
  return value;
}

// Activation kind and alpha, as activation.h requires: alpha >= 0 where it is used.
Activation activation_kind(Args& args, size_t index) {
  return static_cast<Activation>(args.integer(index, "kind", 0, kActivationCount - 1));
}

float activation_alpha(Args& args, size_t index, Activation kind) {
  const bool used = kind == Activation::leaky_relu || kind == Activation::elu;
  return static_cast<float>(number_in(args, index, "alpha", used ? 0.0 : -FLT_MAX, FLT_MAX));
}

// rows and classes of a (rows, classes) matrix; classes >= 1 unless there are no rows.
void rows_and_classes(Args& args, size_t index, int64_t* rows, int64_t* classes) {
  *rows = args.integer(index, "rows", 0, kMaxElements);
  *classes = args.integer(index + 1, "classes", 0, kMaxElements);
  if (*rows > 0 && *classes == 0) args.range_error("classes", "at least 1 when rows > 0", "0");
}

struct ActivationForwardJob {
  float* out;
  const float* x;
  int64_t count;
  Activation kind;
  float alpha;
  Status run() const { return activation_forward_f32(kind, alpha, out, x, count); }
};

// activationForward(out, x, kind, alpha, async)
Napi::Value activation_forward(const Napi::CallbackInfo& info) {
  Args args(info, "activationForward", 5);
  ActivationForwardJob job{};
  job.count = args.f32_length(1, "x");
  job.out = args.f32(0, "out", job.count);
  job.x = args.f32(1, "x", job.count);
  job.kind = activation_kind(args, 2);
  job.alpha = activation_alpha(args, 3, job.kind);
  return run_job(args, job, args.boolean(4, "async"));
}

struct ActivationBackwardJob {
  float* dx;
  const float* dy;
  const float* y;
  int64_t count;
  Activation kind;
  float alpha;
  Status run() const { return activation_backward_f32(kind, alpha, dx, dy, y, count); }
};

// activationBackward(dx, dy, y, kind, alpha, async)
Napi::Value activation_backward(const Napi::CallbackInfo& info) {
  Args args(info, "activationBackward", 6);
  ActivationBackwardJob job{};
  job.count = args.f32_length(1, "dy");
  job.dx = args.f32(0, "dx", job.count);
  job.dy = args.f32(1, "dy", job.count);
  job.y = args.f32(2, "y", job.count);
  job.kind = activation_kind(args, 3);
  job.alpha = activation_alpha(args, 4, job.kind);
  return run_job(args, job, args.boolean(5, "async"));
}

struct SoftmaxForwardJob {
  float* out;
  const float* logits;
  int64_t rows, classes;
  Status run() const { return softmax_forward_f32(out, logits, rows, classes); }
};

// softmaxForward(out, logits, rows, classes, async)
Napi::Value softmax_forward(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxForward", 5);
  SoftmaxForwardJob job{};
  rows_and_classes(args, 2, &job.rows, &job.classes);
  const int64_t size = checked_product(args, "logits (rows*classes)", {job.rows, job.classes});
  job.out = args.f32(0, "out", size);
  job.logits = args.f32(1, "logits", size);
  return run_job(args, job, args.boolean(4, "async"));
}

struct SoftmaxBackwardJob {
  float* dx;
  const float* dy;
  const float* y;
  int64_t rows, classes;
  Status run() const { return softmax_backward_f32(dx, dy, y, rows, classes); }
};

// softmaxBackward(dx, dy, y, rows, classes, async)
Napi::Value softmax_backward(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxBackward", 6);
  SoftmaxBackwardJob job{};
  rows_and_classes(args, 3, &job.rows, &job.classes);
  const int64_t size = checked_product(args, "y (rows*classes)", {job.rows, job.classes});
  job.dx = args.f32(0, "dx", size);
  job.dy = args.f32(1, "dy", size);
  job.y = args.f32(2, "y", size);
  return run_job(args, job, args.boolean(5, "async"));
}

struct SoftmaxCrossEntropyJob {
  float* loss;
  float* dlogits;
  const float* labels;
  const float* logits;
  int64_t rows, classes;
  Status run() const { return softmax_cross_entropy_f32(loss, dlogits, labels, logits, rows, classes); }
};

// softmaxCrossEntropy(loss, dlogits, labels, logits, rows, classes, async)
Napi::Value softmax_cross_entropy(const Napi::CallbackInfo& info) {
  Args args(info, "softmaxCrossEntropy", 7);
  SoftmaxCrossEntropyJob job{};
  rows_and_classes(args, 4, &job.rows, &job.classes);
  const int64_t size = checked_product(args, "logits (rows*classes)", {job.rows, job.classes});
  job.loss = args.f32(0, "loss", 1);
  job.dlogits = args.f32(1, "dlogits", size);
  job.labels = args.f32(2, "labels", size);
  job.logits = args.f32(3, "logits", size);
  return run_job(args, job, args.boolean(6, "async"));
}

struct SparseSoftmaxCrossEntropyJob {
  float* loss;
  float* dlogits;
  const int32_t* labels;
  const float* logits;
  int64_t rows, classes;
  Status run() const { return sparse_softmax_cross_entropy_f32(loss, dlogits, labels, logits, rows, classes); }
};

// sparseSoftmaxCrossEntropy(loss, dlogits, labels: Int32Array, logits, rows, classes, async)
Napi::Value sparse_softmax_cross_entropy(const Napi::CallbackInfo& info) {
  Args args(info, "sparseSoftmaxCrossEntropy", 7);
  SparseSoftmaxCrossEntropyJob job{};
  rows_and_classes(args, 4, &job.rows, &job.classes);
  const int64_t size = checked_product(args, "logits (rows*classes)", {job.rows, job.classes});
  job.loss = args.f32(0, "loss", 1);
  job.dlogits = args.f32(1, "dlogits", size);
  job.labels = args.i32(2, "labels", job.rows);
  job.logits = args.f32(3, "logits", size);
  // Labels index the logits. The kernel re-checks (an async caller could change them meanwhile);
  // this check names the offending entry.
  for (int64_t r = 0; r < job.rows; ++r) {
    if (job.labels[r] < 0 || job.labels[r] >= job.classes) {
      const std::string name = "labels[" + std::to_string(r) + "]";
      args.range_error(name.c_str(), "a class index in [0, " + std::to_string(job.classes - 1) + "]",
                       std::to_string(job.labels[r]));
    }
  }
  return run_job(args, job, args.boolean(6, "async"));
}

// The elementwise losses share a shape: (loss, gradient, labels, values) over `count` elements.
enum class ElementwiseLoss { mean_squared_error, binary_cross_entropy, sigmoid_cross_entropy };

struct ElementwiseLossJob {
  ElementwiseLoss which;
  float* loss;
  float* gradient;
  const float* labels;
  const float* values;
  int64_t count;
  float epsilon;
  Status run() const {
    switch (which) {
      case ElementwiseLoss::mean_squared_error:
        return mean_squared_error_f32(loss, gradient, labels, values, count);
      case ElementwiseLoss::binary_cross_entropy:
        return binary_cross_entropy_f32(loss, gradient, labels, values, count, epsilon);
      case ElementwiseLoss::sigmoid_cross_entropy:
        return sigmoid_cross_entropy_f32(loss, gradient, labels, values, count);
    }
    return Status::invalid_argument;
  }
};

Napi::Value elementwise_loss(const Napi::CallbackInfo& info, const char* function_name, ElementwiseLoss which,
                             const char* gradient_name, const char* values_name) {
  const bool has_epsilon = which == ElementwiseLoss::binary_cross_entropy;
  Args args(info, function_name, has_epsilon ? 6 : 5);
  ElementwiseLossJob job{};
  job.which = which;
  job.count = args.f32_length(3, values_name);
  job.loss = args.f32(0, "loss", 1);
  job.gradient = args.f32(1, gradient_name, job.count);
  job.labels = args.f32(2, "labels", job.count);
  job.values = args.f32(3, values_name, job.count);
  if (has_epsilon) {
    const double epsilon = args.number(4, "epsilon");
    // Strictly below 0.5 so that the clip range [epsilon, 1 - epsilon] is not empty.
    if (!(epsilon >= 0.0 && epsilon < 0.5)) args.range_error("epsilon", "a number in [0, 0.5)", format_number(epsilon));
    job.epsilon = static_cast<float>(epsilon);
  }
  return run_job(args, job, args.boolean(has_epsilon ? 5 : 4, "async"));
}

// meanSquaredError(loss, dpredictions, labels, predictions, async)
Napi::Value mean_squared_error(const Napi::CallbackInfo& info) {
  return elementwise_loss(info, "meanSquaredError", ElementwiseLoss::mean_squared_error, "dpredictions",
                          "predictions");
}

// binaryCrossentropy(loss, dpredictions, labels, predictions, epsilon, async)
Napi::Value binary_crossentropy(const Napi::CallbackInfo& info) {
  return elementwise_loss(info, "binaryCrossentropy", ElementwiseLoss::binary_cross_entropy, "dpredictions",
                          "predictions");
}

// sigmoidCrossEntropy(loss, dlogits, labels, logits, async)
Napi::Value sigmoid_cross_entropy(const Napi::CallbackInfo& info) {
  return elementwise_loss(info, "sigmoidCrossEntropy", ElementwiseLoss::sigmoid_cross_entropy, "dlogits", "logits");
}

}  // namespace

void register_elementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("activationForward", Napi::Function::New(env, activation_forward, "activationForward"));
  exports.Set("activationBackward", Napi::Function::New(env, activation_backward, "activationBackward"));
  exports.Set("softmaxForward", Napi::Function::New(env, softmax_forward, "softmaxForward"));
  exports.Set("softmaxBackward", Napi::Function::New(env, softmax_backward, "softmaxBackward"));
  exports.Set("softmaxCrossEntropy", Napi::Function::New(env, softmax_cross_entropy, "softmaxCrossEntropy"));
  exports.Set("sparseSoftmaxCrossEntropy",
              Napi::Function::New(env, sparse_softmax_cross_entropy, "sparseSoftmaxCrossEntropy"));
  exports.Set("meanSquaredError", Napi::Function::New(env, mean_squared_error, "meanSquaredError"));
  exports.Set("binaryCrossentropy", Napi::Function::New(env, binary_crossentropy, "binaryCrossentropy"));
  exports.Set("sigmoidCrossEntropy", Napi::Function::New(env, sigmoid_cross_entropy, "sigmoidCrossEntropy"));
}

}  // namespace faltung::binding
