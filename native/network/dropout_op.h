// Dropout op: inverted dropout while training, identity at inference. The mask comes from the
// counter-based generator keyed by the step's seed and this op's index, so it is reproducible.
#pragma once

#include "layer_op.h"

namespace faltung::network {

class DropoutOp final : public LayerOp {
 public:
  DropoutOp(float rate, int64_t size, uint64_t op_index);
  bool passes_through(const StepContext& context) const override { return !context.training || rate_ == 0.0f; }
  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

 private:
  float rate_;
  uint64_t op_index_;
  std::vector<float> mask_;  // scaled keep mask of the last training forward
};

}  // namespace faltung::network
