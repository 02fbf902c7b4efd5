// One layer of a network as the training step sees it: forward and backward over a batch of
// contiguous examples, plus the parameters the optimizer updates. Ops never allocate per step:
// any workspace they keep grows once for the largest batch and is then reused.
// Deliberately no graph, no autodiff: a network is a straight sequence (Keras' Sequential).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "../kernels/status.h"

namespace faltung::network {

// What a step tells every op.
struct StepContext {
  int64_t batch = 0;     // examples in this step
  bool training = false; // dropout active, batch norm uses batch statistics
  uint64_t seed = 0;     // this step's dropout seed (ops derive their own from it and their index)
};

// A weight tensor. `value` points into a JS-owned Float32Array that stays referenced by the
// network's wrapper; gradient and optimizer state are owned here.
struct Parameter {
  float* value = nullptr;
  int64_t count = 0;
  bool trainable = true;
  std::vector<float> gradient;
  std::vector<float> slot_a;  // optimizer state (momentum / first moment / mean square)
  std::vector<float> slot_b;  // optimizer state (second moment / mean gradient)
  std::vector<float> slot_c;  // optimizer state (RMSprop momentum)
};

class LayerOp {
 public:
  LayerOp(int64_t input_size, int64_t output_size) : input_size_(input_size), output_size_(output_size) {}
  virtual ~LayerOp() = default;
  LayerOp(const LayerOp&) = delete;
  LayerOp& operator=(const LayerOp&) = delete;

  // Values per example going in and out.
  int64_t input_size() const { return input_size_; }
  int64_t output_size() const { return output_size_; }

  // x (batch, input_size) -> y (batch, output_size).
  virtual Status forward(const StepContext& context, const float* x, float* y) = 0;
  // dy (batch, output_size), with the x and y of the forward pass -> dx (batch, input_size) and
  // the parameters' gradients (overwritten). dx is nullptr when nobody needs it (first layer).
  // dy is the network's scratch: an op may overwrite it (e.g. mask it in place by relu').
  virtual Status backward(const StepContext& context, const float* x, const float* y, float* dy,
                          float* dx) = 0;

  // True when forward would copy x to y unchanged (dropout at inference): the network then
  // hands the next op x itself and skips the copy.
  virtual bool passes_through(const StepContext&) const { return false; }

  // Parameters in Keras order (kernel then bias; gamma, beta, moving mean, moving variance).
  std::vector<Parameter>& parameters() { return parameters_; }

 protected:
  std::vector<Parameter> parameters_;

 private:
  int64_t input_size_;
  int64_t output_size_;
};

// Grows `buffer` to at least `count` floats and returns its data (never shrinks, so a steady
// batch size allocates once).
inline float* grow(std::vector<float>& buffer, int64_t count) {
  if (static_cast<int64_t>(buffer.size()) < count) buffer.resize(static_cast<size_t>(count));
  return buffer.data();
}

}  // namespace faltung::network
