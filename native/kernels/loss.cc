// Loss kernels: rows (or elements) in fixed chunks over the thread pool, one double partial sum
// per chunk, partials added in chunk order, so the loss is the same for any thread count.
// The softmax itself comes from the per-ISA kernels of activation.h; the rest is plain loops.
#include "loss.h"

#include <algorithm>
#include <cmath>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"
#include "activation.h"

namespace faltung {
namespace {

constexpr int64_t kChunkElements = int64_t{1} << 13;

// Sums chunk_sum(begin, end) over fixed chunks of `grain` items, in chunk order.
template <typename ChunkSum>
Status sum_in_chunks(int64_t count, int64_t grain, double* total, ChunkSum chunk_sum) {
  const int64_t chunks = (count + grain - 1) / grain;
  *total = 0.0;
  if (chunks == 0) return Status::ok;
  // Two floats per double; the scratch is 64-byte aligned.
  double* partials = reinterpret_cast<double*>(thread_scratch(ScratchSlot::general, static_cast<size_t>(2 * chunks)));
  if (partials == nullptr) return Status::out_of_memory;
  parallel_for(chunks, 1, [&](int64_t first, int64_t last) {
    for (int64_t chunk = first; chunk < last; ++chunk) {
      const int64_t begin = chunk * grain;
      partials[chunk] = chunk_sum(begin, std::min(count, begin + grain));
    }
  });
  double sum = 0.0;
  for (int64_t chunk = 0; chunk < chunks; ++chunk) sum += partials[chunk];
  *total = sum;
  return Status::ok;
}

bool valid_rows(int64_t rows, int64_t classes) { return rows >= 0 && classes >= 0 && (rows == 0 || classes > 0); }

int64_t rows_per_chunk(int64_t classes) { return std::max<int64_t>(1, kChunkElements / std::max<int64_t>(classes, 1)); }

// sum_j labels[j] * logits[j] and sum_j labels[j] in double, over four interleaved partial sums
// (one serial chain of double adds would cost 4 cycles an element); fixed order, so deterministic.
void label_dot(const float* labels, const float* logits, int64_t classes, double* dot, double* label_sum) {
  double dots[4] = {0.0, 0.0, 0.0, 0.0}, sums[4] = {0.0, 0.0, 0.0, 0.0};
  int64_t j = 0;
  for (; j + 4 <= classes; j += 4) {
    for (int k = 0; k < 4; ++k) {
      dots[k] += static_cast<double>(labels[j + k]) * logits[j + k];
      sums[k] += labels[j + k];
    }
  }
  for (; j < classes; ++j) {
    dots[0] += static_cast<double>(labels[j]) * logits[j];
    sums[0] += labels[j];
  }
  *dot = (dots[0] + dots[1]) + (dots[2] + dots[3]);
  *label_sum = (sums[0] + sums[1]) + (sums[2] + sums[3]);
}

// One row of (sparse or dense) softmax cross-entropy; returns the row's loss. `label_at(j)` gives
// labels[r, j]; `dot` and `label_sum` are sum_j labels * x and sum_j labels, taken before the
// softmax overwrites x when dlogits aliases logits.
template <typename LabelAt>
double cross_entropy_row(const ActivationKernels& kernels, float* dlogits, const float* logits, int64_t classes,
                         double dot, double label_sum, float inverse_rows, LabelAt label_at) {
  float max, sum;
  kernels.softmax_rows(dlogits, logits, 1, classes, &max, &sum);
  const double log_sum_exp = static_cast<double>(max) + std::log(static_cast<double>(sum));
  const float scale = static_cast<float>(label_sum);
  for (int64_t j = 0; j < classes; ++j) dlogits[j] = (dlogits[j] * scale - label_at(j)) * inverse_rows;
  return label_sum * log_sum_exp - dot;
}

}  // namespace

Status softmax_cross_entropy_f32(float* loss, float* dlogits, const float* labels, const float* logits,
                                 int64_t rows, int64_t classes) {
  if (!valid_rows(rows, classes) || loss == nullptr) return Status::invalid_argument;
  if (rows > 0 && (dlogits == nullptr || labels == nullptr || logits == nullptr)) return Status::invalid_argument;
  const ActivationKernels& kernels = activation_kernels();
  const float inverse_rows = rows > 0 ? 1.0f / static_cast<float>(rows) : 0.0f;
  double total = 0.0;
  const Status status = sum_in_chunks(rows, rows_per_chunk(classes), &total, [&](int64_t begin, int64_t end) {
    double chunk_loss = 0.0;
    for (int64_t r = begin; r < end; ++r) {
      const float* label_row = labels + r * classes;
      const float* logit_row = logits + r * classes;
      double dot = 0.0, label_sum = 0.0;
      label_dot(label_row, logit_row, classes, &dot, &label_sum);
      chunk_loss += cross_entropy_row(kernels, dlogits + r * classes, logit_row, classes, dot, label_sum,
                                      inverse_rows, [&](int64_t j) { return label_row[j]; });
    }
    return chunk_loss;
  });
  if (status != Status::ok) return status;
  *loss = rows > 0 ? static_cast<float>(total / static_cast<double>(rows)) : 0.0f;
  return Status::ok;
}

Status sparse_softmax_cross_entropy_f32(float* loss, float* dlogits, const int32_t* labels, const float* logits,
                                        int64_t rows, int64_t classes) {
  if (!valid_rows(rows, classes) || loss == nullptr) return Status::invalid_argument;
  if (rows > 0 && (dlogits == nullptr || labels == nullptr || logits == nullptr)) return Status::invalid_argument;
  // Labels index the logits: check them all before reading or writing anything.
  for (int64_t r = 0; r < rows; ++r) {
    if (labels[r] < 0 || labels[r] >= classes) return Status::invalid_argument;
  }
  const ActivationKernels& kernels = activation_kernels();
  const float inverse_rows = rows > 0 ? 1.0f / static_cast<float>(rows) : 0.0f;
  double total = 0.0;
  const Status status = sum_in_chunks(rows, rows_per_chunk(classes), &total, [&](int64_t begin, int64_t end) {
    double chunk_loss = 0.0;
    for (int64_t r = begin; r < end; ++r) {
      const int64_t label = labels[r];
      const float* logit_row = logits + r * classes;
      chunk_loss += cross_entropy_row(kernels, dlogits + r * classes, logit_row, classes, logit_row[label], 1.0,
                                      inverse_rows, [&](int64_t j) { return j == label ? 1.0f : 0.0f; });
    }
    return chunk_loss;
  });
  if (status != Status::ok) return status;
  *loss = rows > 0 ? static_cast<float>(total / static_cast<double>(rows)) : 0.0f;
  return Status::ok;
}

Status mean_squared_error_f32(float* loss, float* dpredictions, const float* labels, const float* predictions,
                              int64_t count) {
  if (count < 0 || loss == nullptr) return Status::invalid_argument;
  if (count > 0 && (dpredictions == nullptr || labels == nullptr || predictions == nullptr)) {
    return Status::invalid_argument;
  }
  const float gradient_scale = count > 0 ? 2.0f / static_cast<float>(count) : 0.0f;
  double total = 0.0;
  const Status status = sum_in_chunks(count, kChunkElements, &total, [&](int64_t begin, int64_t end) {
    double chunk_loss = 0.0;
    for (int64_t i = begin; i < end; ++i) {
      const double difference = static_cast<double>(predictions[i]) - labels[i];
      chunk_loss += difference * difference;
      dpredictions[i] = (predictions[i] - labels[i]) * gradient_scale;
    }
    return chunk_loss;
  });
  if (status != Status::ok) return status;
  *loss = count > 0 ? static_cast<float>(total / static_cast<double>(count)) : 0.0f;
  return Status::ok;
}

Status binary_cross_entropy_f32(float* loss, float* dpredictions, const float* labels, const float* predictions,
                                int64_t count, float epsilon) {
  if (count < 0 || loss == nullptr || !(epsilon >= 0.0f && epsilon < 0.5f)) return Status::invalid_argument;
  if (count > 0 && (dpredictions == nullptr || labels == nullptr || predictions == nullptr)) {
    return Status::invalid_argument;
  }
  const float low = epsilon;
  const float high = 1.0f - epsilon;  // rounded to float, as Keras' clip bound is
  const double inverse_count = count > 0 ? 1.0 / static_cast<double>(count) : 0.0;
  double total = 0.0;
  const Status status = sum_in_chunks(count, kChunkElements, &total, [&](int64_t begin, int64_t end) {
    double chunk_loss = 0.0;
    for (int64_t i = begin; i < end; ++i) {
      const float p = predictions[i];
      const double q = p < low ? low : (p > high ? high : p);
      const double t = labels[i];
      chunk_loss -= t * std::log(q) + (1.0 - t) * std::log(1.0 - q);
      const bool inside = p >= low && p <= high;
      dpredictions[i] = inside ? static_cast<float>((q - t) / (q * (1.0 - q)) * inverse_count) : 0.0f;
    }
    return chunk_loss;
  });
  if (status != Status::ok) return status;
  *loss = static_cast<float>(total * inverse_count);
  return Status::ok;
}

Status sigmoid_cross_entropy_f32(float* loss, float* dlogits, const float* labels, const float* logits,
                                 int64_t count) {
  if (count < 0 || loss == nullptr) return Status::invalid_argument;
  if (count > 0 && (dlogits == nullptr || labels == nullptr || logits == nullptr)) return Status::invalid_argument;
  const double inverse_count = count > 0 ? 1.0 / static_cast<double>(count) : 0.0;
  double total = 0.0;
  const Status status = sum_in_chunks(count, kChunkElements, &total, [&](int64_t begin, int64_t end) {
    double chunk_loss = 0.0;
    for (int64_t i = begin; i < end; ++i) {
      const double x = logits[i];
      const double t = labels[i];
      const double e = std::exp(-std::fabs(x));  // never overflows
      chunk_loss += std::max(x, 0.0) - x * t + std::log1p(e);
      const double sigmoid = x >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      dlogits[i] = static_cast<float>((sigmoid - t) * inverse_count);  // dlogits may alias logits
    }
    return chunk_loss;
  });
  if (status != Status::ok) return status;
  *loss = static_cast<float>(total * inverse_count);
  return Status::ok;
}

}  // namespace faltung
