// Activation and softmax entry points: argument checks, the per-ISA table, and fixed-size chunks
// over the thread pool. Every element (or row) is computed the same way whatever the thread
// count, so results never depend on it. Deliberately no math here: the kernels live in arch/.
#include "activation.h"

#include "../runtime/isa.h"
#include "../runtime/thread_pool.h"

namespace faltung {
namespace {

constexpr ActivationKernels kScalarKernels = {
    activation_forward_f32__scalar, activation_backward_f32__scalar, softmax_rows_f32__scalar,
    softmax_backward_rows_f32__scalar, exp_f32__scalar};

#if defined(__x86_64__)
constexpr ActivationKernels kAvx2Kernels = {
    activation_forward_f32__avx2, activation_backward_f32__avx2, softmax_rows_f32__avx2,
    softmax_backward_rows_f32__avx2, exp_f32__avx2};
constexpr ActivationKernels kAvx512Kernels = {
    activation_forward_f32__avx512, activation_backward_f32__avx512, softmax_rows_f32__avx512,
    softmax_backward_rows_f32__avx512, exp_f32__avx512};
#endif
#if defined(__aarch64__)
constexpr ActivationKernels kNeonKernels = {
    activation_forward_f32__neon, activation_backward_f32__neon, softmax_rows_f32__neon,
    softmax_backward_rows_f32__neon, exp_f32__neon};
#endif

// Elements per chunk: large enough that a chunk costs well over a worker wake-up (a few us),
// and a multiple of every vector width so chunk starts stay aligned with the array's.
constexpr int64_t kCheapChunk = int64_t{1} << 16;       // relu, leaky, linear: memory-bound
constexpr int64_t kTranscendentalChunk = int64_t{1} << 13;  // exp-based: ~15 flops per element

bool known(Activation kind) {
  const int value = static_cast<int>(kind);
  return value >= 0 && value < kActivationCount;
}

bool uses_exp(Activation kind) {
  return kind == Activation::elu || kind == Activation::sigmoid || kind == Activation::tanh;
}

// alpha scales or slopes the negative side; the backward pass reads the sign of y, so alpha < 0
// (which flips that sign) is rejected for the kinds that use it. NaN fails the >= test too.
bool valid_alpha(Activation kind, float alpha) {
  if (kind != Activation::leaky_relu && kind != Activation::elu) return true;
  return alpha >= 0.0f && alpha < __builtin_inff();
}

int64_t rows_per_chunk(int64_t classes, int64_t elements_per_chunk) {
  const int64_t rows = elements_per_chunk / (classes > 0 ? classes : 1);
  return rows > 0 ? rows : 1;
}

}  // namespace

const ActivationKernels& activation_kernels() {
  switch (active_isa()) {
#if defined(__x86_64__)
    case Isa::avx512: return kAvx512Kernels;
    case Isa::avx2: return kAvx2Kernels;
#endif
#if defined(__aarch64__)
    case Isa::neon: return kNeonKernels;
#endif
    default: return kScalarKernels;
  }
}

Status activation_forward_f32(Activation kind, float alpha, float* out, const float* in, int64_t count) {
  if (!known(kind) || !valid_alpha(kind, alpha) || count < 0) return Status::invalid_argument;
  if (count > 0 && (out == nullptr || in == nullptr)) return Status::invalid_argument;
  const auto forward = activation_kernels().forward;
  parallel_for(count, uses_exp(kind) ? kTranscendentalChunk : kCheapChunk, [&](int64_t begin, int64_t end) {
    forward(kind, alpha, out + begin, in + begin, end - begin);
  });
  return Status::ok;
}

Status activation_backward_f32(Activation kind, float alpha, float* dx, const float* dy, const float* y,
                               int64_t count) {
  if (!known(kind) || !valid_alpha(kind, alpha) || count < 0) return Status::invalid_argument;
  if (count > 0 && (dx == nullptr || dy == nullptr || y == nullptr)) return Status::invalid_argument;
  const auto backward = activation_kernels().backward;
  parallel_for(count, kCheapChunk, [&](int64_t begin, int64_t end) {
    backward(kind, alpha, dx + begin, dy + begin, y + begin, end - begin);
  });
  return Status::ok;
}

Status softmax_forward_f32(float* out, const float* logits, int64_t rows, int64_t classes) {
  if (rows < 0 || classes < 0 || (rows > 0 && classes == 0)) return Status::invalid_argument;
  if (rows > 0 && (out == nullptr || logits == nullptr)) return Status::invalid_argument;
  const auto softmax_rows = activation_kernels().softmax_rows;
  parallel_for(rows, rows_per_chunk(classes, kTranscendentalChunk), [&](int64_t begin, int64_t end) {
    softmax_rows(out + begin * classes, logits + begin * classes, end - begin, classes, nullptr, nullptr);
  });
  return Status::ok;
}

Status softmax_backward_f32(float* dx, const float* dy, const float* y, int64_t rows, int64_t classes) {
  if (rows < 0 || classes < 0 || (rows > 0 && classes == 0)) return Status::invalid_argument;
  if (rows > 0 && (dx == nullptr || dy == nullptr || y == nullptr)) return Status::invalid_argument;
  const auto backward_rows = activation_kernels().softmax_backward_rows;
  parallel_for(rows, rows_per_chunk(classes, kCheapChunk), [&](int64_t begin, int64_t end) {
    backward_rows(dx + begin * classes, dy + begin * classes, y + begin * classes, end - begin, classes);
  });
  return Status::ok;
}

void exp_f32(float* out, const float* in, int64_t count) {
  const auto exp = activation_kernels().exp;
  parallel_for(count, kTranscendentalChunk, [&](int64_t begin, int64_t end) {
    exp(out + begin, in + begin, end - begin);
  });
}

}  // namespace faltung
