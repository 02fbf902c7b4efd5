// Loss head: dispatches to the loss kernels and counts correct predictions. The probability-space
// categorical cross-entropy (no softmax layer before it) is computed here, as Keras does, with the
// predictions clipped to [1e-7, 1 - 1e-7].
#include "loss_head.h"

#include <cmath>

#include "../kernels/loss.h"

namespace faltung::network {
namespace {

constexpr float kEpsilon = 1e-7f;

int64_t argmax(const float* values, int64_t count) {
  int64_t best = 0;
  for (int64_t index = 1; index < count; ++index) {
    if (values[index] > values[best]) best = index;
  }
  return best;
}

// -mean_rows sum_j y log(clip(p)); gradient -y / clip(p) / rows where not clipped.
void probability_cross_entropy(const float* p, const float* y, int64_t rows, int64_t classes, float* gradient,
                               double* loss) {
  double total = 0;
  for (int64_t index = 0; index < rows * classes; ++index) {
    const float clipped = std::fmin(std::fmax(p[index], kEpsilon), 1.0f - kEpsilon);
    total -= static_cast<double>(y[index]) * std::log(static_cast<double>(clipped));
    const bool inside = p[index] > kEpsilon && p[index] < 1.0f - kEpsilon;
    gradient[index] = inside ? -y[index] / clipped / static_cast<float>(rows) : 0.0f;
  }
  *loss = rows > 0 ? total / static_cast<double>(rows) : 0.0;
}

}  // namespace

LossHead::LossHead(LossKind kind, int64_t classes, bool from_logits)
    : kind_(kind), classes_(classes), from_logits_(from_logits) {}

int64_t LossHead::label_size(int64_t output_size) const {
  return kind_ == LossKind::sparse_categorical_crossentropy ? output_size / classes_ : output_size;
}

Status LossHead::evaluate(const float* output, const float* labels, int64_t batch, int64_t output_size,
                          float* gradient, LossResult* result) {
  const int64_t count = batch * output_size;
  const int64_t rows = count / classes_;
  if (gradient == nullptr) {
    scratch_.resize(static_cast<size_t>(count));
    gradient = scratch_.data();
  }
  float loss = 0.0f;
  Status status = Status::ok;
  switch (kind_) {
    case LossKind::categorical_crossentropy:
      if (from_logits_) {
        status = softmax_cross_entropy_f32(&loss, gradient, labels, output, rows, classes_);
        result->loss = loss;
      } else {
        probability_cross_entropy(output, labels, rows, classes_, gradient, &result->loss);
      }
      break;
    case LossKind::sparse_categorical_crossentropy: {
      sparse_labels_.resize(static_cast<size_t>(rows));
      for (int64_t row = 0; row < rows; ++row) {
        const float label = labels[row];
        // NaN fails both comparisons, so it is rejected too.
        if (!(label >= 0.0f && label < static_cast<float>(classes_)) || label != std::floor(label)) {
          return Status::invalid_data;
        }
        sparse_labels_[static_cast<size_t>(row)] = static_cast<int32_t>(label);
      }
      if (from_logits_) {
        status = sparse_softmax_cross_entropy_f32(&loss, gradient, sparse_labels_.data(), output, rows, classes_);
        result->loss = loss;
      } else {
        double total = 0;
        for (int64_t index = 0; index < count; ++index) gradient[index] = 0.0f;
        for (int64_t row = 0; row < rows; ++row) {
          const int64_t index = row * classes_ + sparse_labels_[static_cast<size_t>(row)];
          const float clipped = std::fmin(std::fmax(output[index], kEpsilon), 1.0f - kEpsilon);
          total -= std::log(static_cast<double>(clipped));
          const bool inside = output[index] > kEpsilon && output[index] < 1.0f - kEpsilon;
          gradient[index] = inside ? -1.0f / clipped / static_cast<float>(rows) : 0.0f;
        }
        result->loss = rows > 0 ? total / static_cast<double>(rows) : 0.0;
      }
      break;
    }
    case LossKind::binary_crossentropy:
      status = from_logits_ ? sigmoid_cross_entropy_f32(&loss, gradient, labels, output, count)
                            : binary_cross_entropy_f32(&loss, gradient, labels, output, count, kEpsilon);
      result->loss = loss;
      break;
    case LossKind::mean_squared_error:
      status = mean_squared_error_f32(&loss, gradient, labels, output, count);
      result->loss = loss;
      break;
  }
  if (status != Status::ok) return status;

  // Accuracy as Keras' 'accuracy' picks it: binary for one output or a binary loss, otherwise
  // categorical (argmax of the output against argmax or index of the label).
  double correct = 0;
  if (kind_ == LossKind::binary_crossentropy || classes_ == 1) {
    const float threshold = from_logits_ ? 0.0f : 0.5f;
    for (int64_t index = 0; index < count; ++index) {
      correct += (output[index] > threshold) == (labels[index] > 0.5f) ? 1 : 0;
    }
    result->rows = static_cast<double>(count);
  } else {
    for (int64_t row = 0; row < rows; ++row) {
      const int64_t predicted = argmax(output + row * classes_, classes_);
      const int64_t expected = kind_ == LossKind::sparse_categorical_crossentropy
                                   ? sparse_labels_[static_cast<size_t>(row)]
                                   : argmax(labels + row * classes_, classes_);
      correct += predicted == expected ? 1 : 0;
    }
    result->rows = static_cast<double>(rows);
  }
  result->correct = correct;
  return Status::ok;
}

}  // namespace faltung::network
