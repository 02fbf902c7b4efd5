// Fully connected layer on top of the GEMM: every input value votes for every output unit.
// Dimension key: N batch rows, I input features, U output units. Keras layouts: kernel (I,U).
#pragma once

#include <cstdint>

#include "status.h"

namespace faltung {

// x (N,I), w (I,U), bias (U) or nullptr -> out (N,U) = x w + bias
Status dense_forward_f32(float* out, const float* x, const float* w, const float* bias, int64_t N,
                         int64_t I, int64_t U);

// dy (N,U), x (N,I), w (I,U) -> dx (N,I) = dy w^T, dw (I,U) = x^T dy, dbias (U) = sum_n dy.
// dx and dbias may be nullptr (not wanted). With accumulate, dw and dbias are added to rather
// than overwritten (gradient accumulation across micro-batches).
Status dense_backward_f32(float* dx, float* dw, float* dbias, const float* dy, const float* x,
                          const float* w, int64_t N, int64_t I, int64_t U, bool accumulate);

// dbias (U) (+)= column sums of dy (N,U), rows added in order so results never depend on threads.
void bias_gradient_f32(float* dbias, const float* dy, int64_t N, int64_t U, bool accumulate);

}  // namespace faltung
