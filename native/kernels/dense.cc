// Dense forward/backward as three GEMMs and a column sum; no allocation, no N-API.
#include "dense.h"

#include <cstring>

#include "gemm.h"

namespace faltung {

Status dense_forward_f32(float* out, const float* x, const float* w, const float* bias, int64_t N,
                         int64_t I, int64_t U) {
  if (bias != nullptr) {
    // Seed each row with the bias and let the GEMM add x w on top (beta = 1): one pass over out.
    for (int64_t row = 0; row < N; ++row) std::memcpy(out + row * U, bias, sizeof(float) * U);
  }
  return sgemm_f32(false, false, N, U, I, 1.0f, x, I, w, U, bias != nullptr ? 1.0f : 0.0f, out, U);
}

void bias_gradient_f32(float* dbias, const float* dy, int64_t N, int64_t U, bool accumulate) {
  if (!accumulate) std::memset(dbias, 0, sizeof(float) * U);
  for (int64_t row = 0; row < N; ++row) {
    const float* dy_row = dy + row * U;
    for (int64_t unit = 0; unit < U; ++unit) dbias[unit] += dy_row[unit];
  }
}

Status dense_backward_f32(float* dx, float* dw, float* dbias, const float* dy, const float* x,
                          const float* w, int64_t N, int64_t I, int64_t U, bool accumulate) {
  const float beta = accumulate ? 1.0f : 0.0f;
  // dw (I,U) = x^T (I,N) dy (N,U)
  Status status = sgemm_f32(true, false, I, U, N, 1.0f, x, I, dy, U, beta, dw, U);
  if (status != Status::ok) return status;
  if (dx != nullptr) {
    // dx (N,I) = dy (N,U) w^T (U,I)
    status = sgemm_f32(false, true, N, I, U, 1.0f, dy, U, w, U, 0.0f, dx, I);
    if (status != Status::ok) return status;
  }
  if (dbias != nullptr) bias_gradient_f32(dbias, dy, N, U, accumulate);
  return Status::ok;
}

}  // namespace faltung
