// Embedding op: per example `positions` token ids (float32 values) -> positions rows of the
// table. It has no input gradient (ids are not differentiable); when it is not the first op, the
// dx it is handed is filled with zeros so that earlier ops see a defined gradient.
#pragma once

#include "layer_op.h"

namespace faltung::network {

class EmbeddingOp final : public LayerOp {
 public:
  // embeddings (vocabulary, width), owned by the caller.
  EmbeddingOp(int64_t positions, int64_t vocabulary, int64_t width, float* embeddings);
  Status forward(const StepContext& context, const float* x, float* y) override;
  Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                  float* dx) override;

 private:
  int64_t positions_;
  int64_t vocabulary_;
  int64_t width_;
};

}  // namespace faltung::network
