// Embedding op: the embedding kernels with batch * positions rows.
#include "embedding_op.h"

#include <cstring>

#include "../kernels/embedding.h"

namespace faltung::network {

EmbeddingOp::EmbeddingOp(int64_t positions, int64_t vocabulary, int64_t width, float* embeddings)
    : LayerOp(positions, positions * width), positions_(positions), vocabulary_(vocabulary), width_(width) {
  Parameter table;
  table.value = embeddings;
  table.count = vocabulary * width;
  parameters_.push_back(std::move(table));
}

Status EmbeddingOp::forward(const StepContext& context, const float* x, float* y) {
  return embedding_forward_f32(y, x, parameters_[0].value, context.batch * positions_, vocabulary_, width_);
}

Status EmbeddingOp::backward(const StepContext& context, const float* x, const float*, float* dy,
                             float* dx) {
  const int64_t rows = context.batch * positions_;
  if (dx != nullptr) std::memset(dx, 0, sizeof(float) * static_cast<size_t>(rows));
  Parameter& table = parameters_[0];
  if (!table.trainable) return Status::ok;  // a frozen table (pretrained vectors): no gradient wanted
  return embedding_backward_f32(grow(table.gradient, table.count), dy, x, rows, vocabulary_, width_);
}

}  // namespace faltung::network
