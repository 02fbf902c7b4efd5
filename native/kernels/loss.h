// Losses with their gradients, float32 in and out, accumulated in double. Every loss is a mean
// (Keras' default "sum over batch size" reduction) and every gradient is the gradient of that mean.
// Per-row (or per-chunk) partial sums are reduced in a fixed order, so the loss does not depend on
// the thread count. Deliberately no sample weights, label smoothing or other reductions.
//
// Dimension key: rows (batch), classes (last axis), count (elements, for elementwise losses).
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// Fused softmax + categorical cross-entropy from logits, stable for any finite logits (log-sum-exp):
//   lse_r  = max_j x[r,j] + log sum_j exp(x[r,j] - max_j x[r,j]),   L_r = sum_j labels[r,j]
//   loss   = (1/rows) sum_r (L_r * lse_r - sum_j labels[r,j] * x[r,j])
//   dlogits[r,j] = (softmax(x)[r,j] * L_r - labels[r,j]) / rows
// which is TensorFlow's (softmax - labels) / rows whenever a row of labels sums to 1.
// labels, logits (rows, classes) -> loss (1), dlogits (rows, classes). dlogits may alias logits.
Status softmax_cross_entropy_f32(float* loss, float* dlogits, const float* labels, const float* logits,
                                 int64_t rows, int64_t classes);

// The same with integer class labels: labels (rows) in [0, classes), checked (invalid_argument, and
// nothing written, if any is out of range).
//   loss = (1/rows) sum_r (lse_r - x[r, labels[r]]),   dlogits[r,j] = (softmax(x)[r,j] - [j == labels[r]]) / rows
Status sparse_softmax_cross_entropy_f32(float* loss, float* dlogits, const int32_t* labels, const float* logits,
                                        int64_t rows, int64_t classes);

// Mean squared error: loss = (1/count) sum_i (p_i - t_i)^2,  dpredictions_i = 2 (p_i - t_i) / count.
// labels t, predictions p (count) -> loss (1), dpredictions (count).
Status mean_squared_error_f32(float* loss, float* dpredictions, const float* labels, const float* predictions,
                              int64_t count);

// Binary cross-entropy on probabilities, clipped like Keras 3 (epsilon 1e-7 there):
//   q_i = clip(p_i, epsilon, 1 - epsilon)
//   loss = -(1/count) sum_i (t_i log q_i + (1 - t_i) log(1 - q_i))
//   dpredictions_i = (q_i - t_i) / (q_i (1 - q_i)) / count inside [epsilon, 1 - epsilon], 0 outside
// (the clip passes no gradient where it clips). epsilon in [0, 0.5).
Status binary_cross_entropy_f32(float* loss, float* dpredictions, const float* labels, const float* predictions,
                                int64_t count, float epsilon);

// Binary cross-entropy from logits (TensorFlow's sigmoid_cross_entropy_with_logits), stable for any x:
//   loss = (1/count) sum_i (max(x_i, 0) - x_i t_i + log1p(exp(-|x_i|))),  dlogits_i = (sigmoid(x_i) - t_i) / count
Status sigmoid_cross_entropy_f32(float* loss, float* dlogits, const float* labels, const float* logits,
                                 int64_t count);

}  // namespace faltung
