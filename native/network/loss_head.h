// The end of the network during training: the loss value, its gradient with respect to the head's
// input, and the number of correctly classified rows. When the last layer is softmax (with a
// categorical cross-entropy) or sigmoid (with a binary one), the head takes the LOGITS and uses
// the fused, numerically stable kernels; the gradient is then (p - y) / rows directly.
#pragma once

#include <cstdint>
#include <vector>

#include "../kernels/status.h"

namespace faltung::network {

enum class LossKind : int {
  categorical_crossentropy = 0,
  sparse_categorical_crossentropy = 1,
  binary_crossentropy = 2,
  mean_squared_error = 3,
};

struct LossResult {
  double loss = 0;     // mean over the batch
  double correct = 0;  // rows whose prediction matches the label (accuracy = correct / rows)
  double rows = 0;     // rows counted for accuracy
};

class LossHead {
 public:
  // classes: size of the last axis of the output; from_logits: the head gets pre-activation
  // values (fused softmax / sigmoid).
  LossHead(LossKind kind, int64_t classes, bool from_logits);

  LossKind kind() const { return kind_; }
  bool from_logits() const { return from_logits_; }
  // Labels per example for an output of `output_size` values per example.
  int64_t label_size(int64_t output_size) const;

  // output (batch, output_size), labels (batch, label_size) -> result and, when gradient is not
  // null, d loss / d output (batch, output_size). invalid_data for a sparse label out of range.
  Status evaluate(const float* output, const float* labels, int64_t batch, int64_t output_size,
                  float* gradient, LossResult* result);

 private:
  LossKind kind_;
  int64_t classes_;
  bool from_logits_;
  std::vector<int32_t> sparse_labels_;
  std::vector<float> scratch_;  // gradient sink when the caller wants only the value
};

}  // namespace faltung::network
