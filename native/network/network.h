// A whole sequential network as one native object: forward, loss, backward and optimizer update
// of a training step in one call, with activation and gradient buffers allocated once per batch
// size and reused. The TypeScript model builds it from its layers (native/binding/network.cc).
// Deliberately single-user: the binding refuses a second call while one runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "../kernels/optimizer.h"
#include "layer_op.h"
#include "loss_head.h"

namespace faltung::network {

enum class OptimizerKind : int { sgd = 0, adam = 1, rmsprop = 2 };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::sgd;
  float momentum = 0.0f;      // sgd, rmsprop
  bool nesterov = false;      // sgd
  float beta1 = 0.9f;         // adam
  float beta2 = 0.999f;       // adam
  float epsilon = 1e-7f;      // adam, rmsprop
  float weight_decay = 0.0f;  // adam: > 0 makes it AdamW
  bool amsgrad = false;       // adam
  float rho = 0.9f;           // rmsprop
  bool centered = false;      // rmsprop
  GradientClip clip;
};

class Network {
 public:
  // ops: the layers in order; input_size: values per example; head: loss over the last op's
  // output (or over its input when the head is fused with a final softmax/sigmoid).
  Network(std::vector<std::unique_ptr<LayerOp>> ops, int64_t input_size, LossKind loss, int64_t classes,
          OptimizerConfig optimizer);

  int64_t input_size() const { return input_size_; }
  int64_t output_size() const { return ops_.empty() ? input_size_ : ops_.back()->output_size(); }
  int64_t label_size() const { return head_.label_size(output_size()); }
  // Values per example after each op.
  std::vector<int64_t> op_output_sizes() const;
  int64_t steps() const { return steps_; }
  void set_steps(int64_t steps) { steps_ = steps; }
  // Every parameter in layer order, then Keras order within a layer.
  std::vector<Parameter*> parameters();

  // x (batch, input_size), labels (batch, label_size): forward, loss, backward, update. The
  // update is skipped when the loss or a gradient is NaN or infinite (result->loss is then
  // non-finite: the loss itself, or NaN when only a gradient overflowed).
  Status train_step(const float* x, const float* labels, int64_t batch, float learning_rate, uint64_t seed,
                    LossResult* result);
  // Forward and backward only: leaves d loss / d parameter in each Parameter's gradient.
  // training selects dropout / batch statistics (with `seed` for the dropout masks).
  Status compute_gradients(const float* x, const float* labels, int64_t batch, bool training, uint64_t seed,
                           LossResult* result);
  // Inference loss and accuracy over `count` examples in chunks of `batch_size`; the loss is the
  // mean over all examples.
  Status evaluate(const float* x, const float* labels, int64_t count, int64_t batch_size, LossResult* result);
  // Inference outputs (count, output_size) in chunks of `batch_size`.
  Status predict(float* out, const float* x, int64_t count, int64_t batch_size);
  // Every layer's output for `count` examples (inference): outputs[i] receives (count, size of op i).
  Status activations(const std::vector<float*>& outputs, const float* x, int64_t count);

 private:
  // Runs ops [0, op_count) on x; the last one writes to `final_out` if given.
  Status forward(const StepContext& context, const float* x, size_t op_count, float* final_out);
  Status backward(const StepContext& context, const float* x, size_t op_count, float* gradient);
  // Examples per inference chunk for a caller's batch size and example count; ops_split: every
  // op splits the chunk between the threads (else one thread runs the whole chunk).
  int64_t inference_chunk(int64_t batch_size, int64_t count, bool ops_split) const;
  // Inference of `batch` examples through every op on the calling thread, into `buffers` (one
  // per op, each already holding batch * that op's output size); the last op writes to out.
  Status forward_lane(std::vector<std::vector<float>>& buffers, int64_t batch, const float* x, float* out);
  // False when any trainable parameter's gradient holds a NaN or an infinity.
  bool gradients_finite();
  void apply_optimizer(float learning_rate);
  const float* activation(size_t index, const float* x) const;
  void reserve(int64_t batch);

  std::vector<std::unique_ptr<LayerOp>> ops_;
  int64_t input_size_;
  LossHead head_;
  size_t head_ops_;  // ops run before the loss head during training (all, or all but the fused one)
  OptimizerConfig optimizer_;
  int64_t steps_ = 0;
  std::vector<std::vector<float>> outputs_;  // outputs_[i]: op i's output buffer
  std::vector<const float*> produced_;       // where op i's output of the last forward lies
                                             // (its buffer, or its input when it passed through)
  std::vector<float> gradient_a_;            // ping-pong buffers for d loss / d activation
  std::vector<std::vector<std::vector<float>>> lanes_;  // per thread, per op: batch-parallel predict
  std::vector<float> gradient_b_;
  // fusable_[i]: op i is a conv and op i + 1 a max pool that training runs as one step
  // (conv_pool_fusion.h; FALTUNG_NO_FUSION=1 turns it off); fused_run_[i]: the last forward did.
  std::vector<char> fusable_;
  std::vector<char> fused_run_;
  // FALTUNG_PROFILE=1: seconds spent in each op's forward / backward and in the optimizer, and
  // in each op's forward at inference (predict, evaluate), printed to stderr when the network is
  // destroyed (a developer's tool, off by default).
  bool profile_ = false;
  std::vector<double> forward_seconds_;
  std::vector<double> backward_seconds_;
  double optimizer_seconds_ = 0;
  int64_t profiled_steps_ = 0;
  std::vector<double> inference_seconds_;  // forward time of each op outside training
  int64_t profiled_examples_ = 0;

 public:
  ~Network();
};

}  // namespace faltung::network
