// Optimizer updates: one fused pass per call, over fixed chunks of the parameter vector on the
// thread pool (elementwise, so results never depend on the thread count). The loops are plain
// and branch-free inside, specialised by template on the options, so the compiler vectorizes them.
#include "optimizer.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"

namespace faltung {
namespace {

constexpr int64_t kChunk = int64_t{1} << 14;

bool finite(double value) { return std::isfinite(value); }

bool valid_buffers(int64_t count, std::initializer_list<const float*> buffers) {
  if (count < 0) return false;
  if (count == 0) return true;
  for (const float* buffer : buffers) {
    if (buffer == nullptr) return false;
  }
  return true;
}

// The clip as a scale and bounds applied to every gradient element (both identity when off).
struct ClipPlan {
  float scale = 1.0f;
  float low = -__builtin_inff();
  float high = __builtin_inff();
};

Status plan_clip(const GradientClip& clip, const float* gradients, int64_t count, ClipPlan* plan) {
  if (!(clip.clip_norm >= 0.0) || !(clip.clip_value >= 0.0) || !finite(clip.clip_norm) ||
      !finite(clip.clip_value)) {
    return Status::invalid_argument;
  }
  if (clip.clip_norm > 0.0) {
    double norm = 0.0;
    const Status status = l2_norm_f32(&norm, gradients, count);
    if (status != Status::ok) return status;
    // max() keeps a NaN norm (NaN gradients stay visible as NaN weights, as in Keras).
    const double limit = clip.clip_norm;
    plan->scale = static_cast<float>(limit / (norm < limit ? limit : norm));
  }
  if (clip.clip_value > 0.0) {
    plan->low = static_cast<float>(-clip.clip_value);
    plan->high = static_cast<float>(clip.clip_value);
  }
  return Status::ok;
}

// NaN passes through (both comparisons are false).
inline float clipped(float gradient, const ClipPlan& plan) {
  const float scaled = gradient * plan.scale;
  return scaled < plan.low ? plan.low : (scaled > plan.high ? plan.high : scaled);
}

template <bool kNesterov>
void momentum_chunk(float* weights, float* velocity, const float* gradients, int64_t begin, int64_t end,
                    float learning_rate, float momentum, ClipPlan plan) {
  for (int64_t i = begin; i < end; ++i) {
    const float g = clipped(gradients[i], plan);
    const float v = momentum * velocity[i] - learning_rate * g;
    velocity[i] = v;
    weights[i] += kNesterov ? momentum * v - learning_rate * g : v;
  }
}

template <bool kDecay, bool kAmsgrad>
void adam_chunk(float* weights, float* m, float* v, float* v_max, const float* gradients, int64_t begin,
                int64_t end, float alpha, float one_minus_beta1, float one_minus_beta2, float epsilon, float decay,
                ClipPlan plan) {
  for (int64_t i = begin; i < end; ++i) {
    const float g = clipped(gradients[i], plan);
    float w = weights[i];
    if (kDecay) w -= w * decay;
    const float m_new = m[i] + (g - m[i]) * one_minus_beta1;
    const float v_new = v[i] + (g * g - v[i]) * one_minus_beta2;
    m[i] = m_new;
    v[i] = v_new;
    float denominator_v = v_new;
    if (kAmsgrad) {
      denominator_v = v_max[i] < v_new ? v_new : v_max[i];
      v_max[i] = denominator_v;
    }
    weights[i] = w - alpha * m_new / (std::sqrt(denominator_v) + epsilon);
  }
}

struct RmspropConstants {
  float learning_rate, rho, one_minus_rho, momentum, epsilon;
};

template <bool kCentered, bool kMomentum>
void rmsprop_chunk(float* weights, float* mean_square, float* momentum_buffer, float* mean_gradient,
                   const float* gradients, int64_t begin, int64_t end, RmspropConstants k, ClipPlan plan) {
  const float learning_rate = k.learning_rate, rho = k.rho, one_minus_rho = k.one_minus_rho;
  const float momentum = k.momentum, epsilon = k.epsilon;
  for (int64_t i = begin; i < end; ++i) {
    const float g = clipped(gradients[i], plan);
    const float s = rho * mean_square[i] + one_minus_rho * g * g;
    mean_square[i] = s;
    float denominator = s + epsilon;
    if (kCentered) {
      const float a = rho * mean_gradient[i] + one_minus_rho * g;
      mean_gradient[i] = a;
      denominator = s - a * a + epsilon;
    }
    const float increment = learning_rate * g / std::sqrt(denominator);
    if (kMomentum) {
      const float u = momentum * momentum_buffer[i] + increment;
      momentum_buffer[i] = u;
      weights[i] -= u;
    } else {
      weights[i] -= increment;
    }
  }
}

}  // namespace

Status l2_norm_f32(double* norm, const float* values, int64_t count) {
  if (norm == nullptr || !valid_buffers(count, {values})) return Status::invalid_argument;
  const int64_t chunks = (count + kChunk - 1) / kChunk;
  *norm = 0.0;
  if (chunks == 0) return Status::ok;
  double* partials = reinterpret_cast<double*>(thread_scratch(ScratchSlot::general, static_cast<size_t>(2 * chunks)));
  if (partials == nullptr) return Status::out_of_memory;
  parallel_for(chunks, 1, [&](int64_t first, int64_t last) {
    for (int64_t chunk = first; chunk < last; ++chunk) {
      const int64_t end = std::min(count, (chunk + 1) * kChunk);
      double sum = 0.0;
      for (int64_t i = chunk * kChunk; i < end; ++i) sum += static_cast<double>(values[i]) * values[i];
      partials[chunk] = sum;
    }
  });
  double sum = 0.0;
  for (int64_t chunk = 0; chunk < chunks; ++chunk) sum += partials[chunk];  // fixed order
  *norm = std::sqrt(sum);
  return Status::ok;
}

Status sgd_update_f32(float* weights, const float* gradients, int64_t count, double learning_rate,
                      GradientClip clip) {
  if (!valid_buffers(count, {weights, gradients}) || !finite(learning_rate)) return Status::invalid_argument;
  const float lr = static_cast<float>(learning_rate);
  ClipPlan plan;
  const Status status = plan_clip(clip, gradients, count, &plan);
  if (status != Status::ok) return status;
  parallel_for(count, kChunk, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) weights[i] -= lr * clipped(gradients[i], plan);
  });
  return Status::ok;
}

Status momentum_update_f32(float* weights, float* velocity, const float* gradients, int64_t count,
                           double learning_rate, double momentum, bool nesterov, GradientClip clip) {
  if (!valid_buffers(count, {weights, velocity, gradients}) || !finite(learning_rate) || !finite(momentum) ||
      momentum < 0.0) {
    return Status::invalid_argument;
  }
  ClipPlan plan;
  const Status status = plan_clip(clip, gradients, count, &plan);
  if (status != Status::ok) return status;
  parallel_for(count, kChunk, [&](int64_t begin, int64_t end) {
    const float lr = static_cast<float>(learning_rate), mu = static_cast<float>(momentum);
    if (nesterov) {
      momentum_chunk<true>(weights, velocity, gradients, begin, end, lr, mu, plan);
    } else {
      momentum_chunk<false>(weights, velocity, gradients, begin, end, lr, mu, plan);
    }
  });
  return Status::ok;
}

Status adam_update_f32(float* weights, float* m, float* v, float* v_max, const float* gradients, int64_t count,
                       double learning_rate, double beta1, double beta2, double epsilon, int64_t step,
                       double weight_decay, GradientClip clip) {
  if (!valid_buffers(count, {weights, m, v, gradients}) || !finite(learning_rate) || !(beta1 >= 0.0) ||
      !(beta1 < 1.0) || !(beta2 >= 0.0) || !(beta2 < 1.0) || !(epsilon >= 0.0) || !finite(epsilon) || step < 1 ||
      !(weight_decay >= 0.0) || !finite(weight_decay)) {
    return Status::invalid_argument;
  }
  ClipPlan plan;
  const Status status = plan_clip(clip, gradients, count, &plan);
  if (status != Status::ok) return status;
  const double t = static_cast<double>(step);
  const float alpha =
      static_cast<float>(learning_rate * std::sqrt(1.0 - std::pow(beta2, t)) / (1.0 - std::pow(beta1, t)));
  const float decay = static_cast<float>(weight_decay * learning_rate);
  const float one_minus_beta1 = static_cast<float>(1.0 - beta1);
  const float one_minus_beta2 = static_cast<float>(1.0 - beta2);
  const float eps = static_cast<float>(epsilon);
  const bool decayed = weight_decay > 0.0;
  const bool amsgrad = v_max != nullptr;
  parallel_for(count, kChunk, [&](int64_t begin, int64_t end) {
    if (decayed && amsgrad) {
      adam_chunk<true, true>(weights, m, v, v_max, gradients, begin, end, alpha, one_minus_beta1, one_minus_beta2,
                             eps, decay, plan);
    } else if (decayed) {
      adam_chunk<true, false>(weights, m, v, v_max, gradients, begin, end, alpha, one_minus_beta1,
                              one_minus_beta2, eps, decay, plan);
    } else if (amsgrad) {
      adam_chunk<false, true>(weights, m, v, v_max, gradients, begin, end, alpha, one_minus_beta1,
                              one_minus_beta2, eps, decay, plan);
    } else {
      adam_chunk<false, false>(weights, m, v, v_max, gradients, begin, end, alpha, one_minus_beta1,
                               one_minus_beta2, eps, decay, plan);
    }
  });
  return Status::ok;
}

Status rmsprop_update_f32(float* weights, float* mean_square, float* momentum_buffer, float* mean_gradient,
                          const float* gradients, int64_t count, double learning_rate, double rho,
                          double momentum, double epsilon, GradientClip clip) {
  if (!valid_buffers(count, {weights, mean_square, gradients}) || !finite(learning_rate) || !(rho >= 0.0) ||
      !(rho <= 1.0) || !(momentum >= 0.0) || !finite(momentum) || !(epsilon >= 0.0) || !finite(epsilon)) {
    return Status::invalid_argument;
  }
  ClipPlan plan;
  const Status status = plan_clip(clip, gradients, count, &plan);
  if (status != Status::ok) return status;
  const RmspropConstants k{static_cast<float>(learning_rate), static_cast<float>(rho),
                           static_cast<float>(1.0 - rho), static_cast<float>(momentum), static_cast<float>(epsilon)};
  const bool centered = mean_gradient != nullptr;
  const bool with_momentum = momentum_buffer != nullptr;
  parallel_for(count, kChunk, [&](int64_t begin, int64_t end) {
    if (centered && with_momentum) {
      rmsprop_chunk<true, true>(weights, mean_square, momentum_buffer, mean_gradient, gradients, begin, end, k, plan);
    } else if (centered) {
      rmsprop_chunk<true, false>(weights, mean_square, momentum_buffer, mean_gradient, gradients, begin, end, k, plan);
    } else if (with_momentum) {
      rmsprop_chunk<false, true>(weights, mean_square, momentum_buffer, mean_gradient, gradients, begin, end, k, plan);
    } else {
      rmsprop_chunk<false, false>(weights, mean_square, momentum_buffer, mean_gradient, gradients, begin, end, k, plan);
    }
  });
  return Status::ok;
}

}  // namespace faltung
