// The training step and inference loops over the layer ops. Ops write into buffers owned here;
// the input batch is read where it lies (no copy).
#include "network.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <typeinfo>

#include "../runtime/thread_pool.h"
#include "activation_op.h"
#include "conv_pool_fusion.h"

namespace faltung::network {
namespace {

// Inference walks a batch in chunks whatever batch size the caller asks for, never more than 256
// examples, each small enough that its widest activation is still in L2 when the next op reads it.
// predict gives each thread whole chunks, run through every op on that thread alone with its own
// activation buffers (nothing crosses cores between ops); evaluate runs its chunks in turn with
// every op split between the threads, which needs larger chunks to pay off. MNIST convnet, batch
// 1000, images/s (alternating runs): one thread 19.9k with 256-image chunks (the first conv
// writes 22 MB), 27.5k with 1 MB chunks; ops split over two threads 30.5k with 1 MB per thread,
// 33.5-33.9k with 4 MB per thread, 34.2-34.7k with 256 images.
constexpr int64_t kMaxInferenceChunk = 256;
constexpr int64_t kInferenceBytesOneThread = int64_t{1} << 20;
constexpr int64_t kInferenceBytesPerThread = int64_t{4} << 20;

// Is the last op one the loss head can fuse (softmax + categorical, sigmoid + binary)?
bool fusable(const LayerOp* last, LossKind loss) {
  if (last == nullptr) return false;
  if (loss == LossKind::categorical_crossentropy || loss == LossKind::sparse_categorical_crossentropy) {
    return dynamic_cast<const SoftmaxOp*>(last) != nullptr;
  }
  if (loss == LossKind::binary_crossentropy) {
    const auto* activation = dynamic_cast<const ActivationOp*>(last);
    return activation != nullptr && activation->kind() == Activation::sigmoid;
  }
  return false;
}

}  // namespace

Network::Network(std::vector<std::unique_ptr<LayerOp>> ops, int64_t input_size, LossKind loss, int64_t classes,
                 OptimizerConfig optimizer)
    : ops_(std::move(ops)),
      input_size_(input_size),
      head_(loss, classes, fusable(ops_.empty() ? nullptr : ops_.back().get(), loss)),
      head_ops_(head_.from_logits() ? ops_.size() - 1 : ops_.size()),
      optimizer_(optimizer),
      outputs_(ops_.size()),
      produced_(ops_.size(), nullptr),
      profile_(std::getenv("FALTUNG_PROFILE") != nullptr),
      forward_seconds_(ops_.size()),
      backward_seconds_(ops_.size()),
      inference_seconds_(ops_.size()) {
  fusable_.assign(ops_.size(), 0);
  fused_run_.assign(ops_.size(), 0);
  const char* off = std::getenv("FALTUNG_NO_FUSION");
  if (off != nullptr && std::strcmp(off, "0") != 0) return;
  for (size_t index = 0; index + 1 < ops_.size(); ++index) {
    fusable_[index] = conv_pool_fusable(*ops_[index], *ops_[index + 1]) ? 1 : 0;
  }
}

namespace {
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
}  // namespace

Network::~Network() {
  if (!profile_) return;
  if (profiled_steps_ > 0) {
    std::fprintf(stderr, "faltung profile: %lld training steps, ms per step\n", static_cast<long long>(profiled_steps_));
    for (size_t index = 0; index < ops_.size(); ++index) {
      std::fprintf(stderr, "  op %zu %-28s forward %8.3f  backward %8.3f%s\n", index, typeid(*ops_[index]).name(),
                   1e3 * forward_seconds_[index] / profiled_steps_, 1e3 * backward_seconds_[index] / profiled_steps_,
                   fusable_[index] ? "  (with the next op)" : "");
    }
    std::fprintf(stderr, "  optimizer %8.3f\n", 1e3 * optimizer_seconds_ / profiled_steps_);
  }
  if (profiled_examples_ > 0) {
    std::fprintf(stderr, "faltung profile: %lld examples inferred, ms per 1000 examples\n",
                 static_cast<long long>(profiled_examples_));
    for (size_t index = 0; index < ops_.size(); ++index) {
      std::fprintf(stderr, "  op %zu %-28s forward %8.3f\n", index, typeid(*ops_[index]).name(),
                   1e6 * inference_seconds_[index] / profiled_examples_);
    }
  }
}

std::vector<Parameter*> Network::parameters() {
  std::vector<Parameter*> all;
  for (auto& op : ops_) {
    for (Parameter& parameter : op->parameters()) all.push_back(&parameter);
  }
  return all;
}

std::vector<int64_t> Network::op_output_sizes() const {
  std::vector<int64_t> sizes;
  for (const auto& op : ops_) sizes.push_back(op->output_size());
  return sizes;
}

void Network::reserve(int64_t batch) {
  int64_t largest = input_size_;
  for (size_t index = 0; index < ops_.size(); ++index) {
    grow(outputs_[index], batch * ops_[index]->output_size());
    largest = std::max(largest, ops_[index]->output_size());
  }
  grow(gradient_a_, batch * largest);
  grow(gradient_b_, batch * largest);
}

const float* Network::activation(size_t index, const float* x) const {
  return index == 0 ? x : produced_[index - 1];
}

Status Network::forward(const StepContext& context, const float* x, size_t op_count, float* final_out) {
  std::fill(fused_run_.begin(), fused_run_.end(), 0);
  for (size_t index = 0; index < op_count; ++index) {
    const bool last = index + 1 == op_count;
    const float* in = activation(index, x);
    if (context.training && fusable_[index] && index + 1 < op_count && final_out == nullptr &&
        conv_pool_worth_fusing(context.batch)) {
      // Conv and max pool as one step: the conv's output is never stored (produced_ says so).
      float* out = outputs_[index + 1].data();
      produced_[index] = nullptr;
      produced_[index + 1] = out;
      fused_run_[index] = 1;
      const auto start = std::chrono::steady_clock::now();
      Status status = conv_pool_forward(static_cast<ConvOp&>(*ops_[index]), static_cast<PoolOp&>(*ops_[index + 1]),
                                        context, in, out);
      if (profile_) forward_seconds_[index] += seconds_since(start);
      if (status != Status::ok) return status;
      ++index;  // the pool ran too
      continue;
    }
    if (ops_[index]->passes_through(context) && !(last && final_out != nullptr)) {
      produced_[index] = in;
      continue;
    }
    float* out = (final_out != nullptr && last) ? final_out : outputs_[index].data();
    produced_[index] = out;
    const auto start = std::chrono::steady_clock::now();
    Status status = ops_[index]->forward(context, in, out);
    if (profile_) (context.training ? forward_seconds_ : inference_seconds_)[index] += seconds_since(start);
    if (status != Status::ok) return status;
  }
  return Status::ok;
}

Status Network::backward(const StepContext& context, const float* x, size_t op_count, float* gradient) {
  float* dy = gradient;
  float* spare = dy == gradient_a_.data() ? gradient_b_.data() : gradient_a_.data();
  for (size_t index = op_count; index-- > 0;) {
    if (index >= 1 && fused_run_[index - 1]) {
      // The pool (index) and the conv before it, as the forward ran them: the pool's gradient
      // goes to `spare`, then the conv's input gradient to `dy`, whose contents the scatter has
      // consumed. The buffers end in the roles two separate ops would leave them in.
      const size_t conv_index = index - 1;
      const auto start = std::chrono::steady_clock::now();
      Status status = conv_pool_backward(static_cast<ConvOp&>(*ops_[conv_index]), static_cast<PoolOp&>(*ops_[index]),
                                         context, activation(conv_index, x), produced_[index], dy, spare,
                                         conv_index == 0 ? nullptr : dy);
      if (profile_) backward_seconds_[conv_index] += seconds_since(start);
      if (status != Status::ok) return status;
      --index;  // the conv is done too
      continue;
    }
    // The first layer's input gradient has no consumer: skipping it saves a whole col2im pass.
    float* dx = index == 0 ? nullptr : spare;
    const auto start = std::chrono::steady_clock::now();
    Status status = ops_[index]->backward(context, activation(index, x), produced_[index], dy, dx);
    if (profile_) backward_seconds_[index] += seconds_since(start);
    if (status != Status::ok) return status;
    std::swap(dy, spare);
  }
  return Status::ok;
}

Status Network::compute_gradients(const float* x, const float* labels, int64_t batch, bool training,
                                  uint64_t seed, LossResult* result) {
  reserve(batch);
  StepContext context{batch, training, seed};
  Status status = forward(context, x, head_ops_, nullptr);
  if (status != Status::ok) return status;
  const float* head_input = activation(head_ops_, x);
  const int64_t head_size = head_ops_ == 0 ? input_size_ : ops_[head_ops_ - 1]->output_size();
  status = head_.evaluate(head_input, labels, batch, head_size, gradient_a_.data(), result);
  if (status != Status::ok) return status;
  return backward(context, x, head_ops_, gradient_a_.data());
}

Status Network::train_step(const float* x, const float* labels, int64_t batch, float learning_rate,
                           uint64_t seed, LossResult* result) {
  Status status = compute_gradients(x, labels, batch, true, seed, result);
  if (status != Status::ok) return status;
  // A NaN or infinite loss or gradient would poison every weight it touches: leave the weights
  // (and the optimizer's state) as they were and report the step as a NaN loss, so the caller can
  // stop, skip the batch or raise. A finite loss can still overflow a gradient (huge inputs).
  if (!std::isfinite(result->loss)) return Status::ok;
  if (!gradients_finite()) {
    result->loss = std::numeric_limits<double>::quiet_NaN();
    return Status::ok;
  }
  ++steps_;
  const auto start = std::chrono::steady_clock::now();
  apply_optimizer(learning_rate);
  if (profile_) {
    optimizer_seconds_ += seconds_since(start);
    ++profiled_steps_;
  }
  return Status::ok;
}

bool Network::gradients_finite() {
  for (Parameter* parameter : parameters()) {
    if (!parameter->trainable || parameter->gradient.empty()) continue;
    // x * 0 is 0 for finite x and NaN for NaN or infinity, so the sums flag exactly the bad
    // values and cannot overflow; four partial sums keep the pass cheap next to a step.
    const float* gradient = parameter->gradient.data();
    float sums[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    int64_t i = 0;
    for (; i + 4 <= parameter->count; i += 4) {
      for (int lane = 0; lane < 4; ++lane) sums[lane] += gradient[i + lane] * 0.0f;
    }
    for (; i < parameter->count; ++i) sums[0] += gradient[i] * 0.0f;
    if (!std::isfinite(sums[0] + sums[1] + sums[2] + sums[3])) return false;
  }
  return true;
}

void Network::apply_optimizer(float learning_rate) {
  const OptimizerConfig& config = optimizer_;
  for (Parameter* parameter : parameters()) {
    if (!parameter->trainable || parameter->gradient.empty()) continue;
    const int64_t count = parameter->count;
    float* value = parameter->value;
    const float* gradient = parameter->gradient.data();
    switch (config.kind) {
      case OptimizerKind::sgd:
        if (config.momentum == 0.0f) {
          sgd_update_f32(value, gradient, count, learning_rate, config.clip);
        } else {
          momentum_update_f32(value, grow(parameter->slot_a, count), gradient, count, learning_rate,
                              config.momentum, config.nesterov, config.clip);
        }
        break;
      case OptimizerKind::adam:
        adam_update_f32(value, grow(parameter->slot_a, count), grow(parameter->slot_b, count),
                        config.amsgrad ? grow(parameter->slot_c, count) : nullptr, gradient, count, learning_rate,
                        config.beta1, config.beta2, config.epsilon, steps_, config.weight_decay, config.clip);
        break;
      case OptimizerKind::rmsprop:
        rmsprop_update_f32(value, grow(parameter->slot_a, count),
                           config.momentum > 0.0f ? grow(parameter->slot_c, count) : nullptr,
                           config.centered ? grow(parameter->slot_b, count) : nullptr, gradient, count,
                           learning_rate, config.rho, config.momentum, config.epsilon, config.clip);
        break;
    }
  }
}

Status Network::evaluate(const float* x, const float* labels, int64_t count, int64_t batch_size,
                         LossResult* result) {
  *result = LossResult{};
  const int64_t chunk = inference_chunk(batch_size, count, true);
  reserve(chunk);
  const int64_t head_size = head_ops_ == 0 ? input_size_ : ops_[head_ops_ - 1]->output_size();
  const int64_t labels_per_example = label_size();
  for (int64_t begin = 0; begin < count; begin += chunk) {
    const int64_t batch = std::min(chunk, count - begin);
    StepContext context{batch, false, 0};
    const float* x_batch = x + begin * input_size_;
    Status status = forward(context, x_batch, head_ops_, nullptr);
    if (status != Status::ok) return status;
    profiled_examples_ += batch;
    LossResult part;
    status = head_.evaluate(activation(head_ops_, x_batch), labels + begin * labels_per_example, batch, head_size,
                            gradient_a_.data(), &part);
    if (status != Status::ok) return status;
    result->loss += part.loss * static_cast<double>(batch);
    result->correct += part.correct;
    result->rows += part.rows;
  }
  if (count > 0) result->loss /= static_cast<double>(count);
  return Status::ok;
}

int64_t Network::inference_chunk(int64_t batch_size, int64_t count, bool ops_split) const {
  int64_t widest = input_size_;
  for (const auto& op : ops_) widest = std::max(widest, op->output_size());
  const int threads = ops_split ? std::max(num_threads(), 1) : 1;
  const int64_t budget = threads == 1 ? kInferenceBytesOneThread : kInferenceBytesPerThread * threads;
  const int64_t fits = budget / (std::max<int64_t>(widest, 1) * static_cast<int64_t>(sizeof(float)));
  return std::max<int64_t>(1, std::min({batch_size, count, kMaxInferenceChunk, fits}));
}

Status Network::forward_lane(std::vector<std::vector<float>>& buffers, int64_t batch, const float* x, float* out) {
  StepContext context{batch, false, 0};
  const float* in = x;
  for (size_t index = 0; index < ops_.size(); ++index) {
    const bool last = index + 1 == ops_.size();
    if (ops_[index]->passes_through(context) && !last) continue;
    float* result = last ? out : buffers[index].data();
    Status status = ops_[index]->forward(context, in, result);
    if (status != Status::ok) return status;
    in = result;
  }
  return Status::ok;
}

Status Network::predict(float* out, const float* x, int64_t count, int64_t batch_size) {
  const int threads = num_threads();
  const int64_t lane_chunk = inference_chunk(batch_size, count, false);
  const int64_t lane_chunks = lane_chunk > 0 ? (count + lane_chunk - 1) / lane_chunk : 0;
  if (!profile_ && !ops_.empty() && threads > 1 && lane_chunks > 1) {
    // Batch-parallel: each thread takes whole chunks and runs them through every op itself (the
    // kernels it calls run inline inside the region). Same bits as the split path: an example's
    // outputs depend neither on its batch nor on the thread count.
    if (lanes_.size() < static_cast<size_t>(threads)) lanes_.resize(static_cast<size_t>(threads));
    // Sized here, on the calling thread: an allocation failure must not throw inside the region.
    for (auto& lane : lanes_) {
      lane.resize(ops_.size());
      for (size_t index = 0; index < ops_.size(); ++index) grow(lane[index], lane_chunk * ops_[index]->output_size());
    }
    std::atomic<int64_t> next{0};
    std::atomic<int> failure{static_cast<int>(Status::ok)};
    parallel_run(threads, [&](int thread, int) {
      for (;;) {
        // Relaxed: the counter only hands out chunk numbers; each chunk's data is its own.
        const int64_t chunk = next.fetch_add(1, std::memory_order_relaxed);
        if (chunk >= lane_chunks) break;
        const int64_t begin = chunk * lane_chunk;
        const int64_t batch = std::min(lane_chunk, count - begin);
        Status status = forward_lane(lanes_[static_cast<size_t>(thread)], batch, x + begin * input_size_,
                                     out + begin * output_size());
        // Relaxed: parallel_run's completion orders it before the read below.
        if (status != Status::ok) failure.store(static_cast<int>(status), std::memory_order_relaxed);
      }
    });
    return static_cast<Status>(failure.load(std::memory_order_relaxed));
  }
  const int64_t chunk = inference_chunk(batch_size, count, true);
  reserve(chunk);
  for (int64_t begin = 0; begin < count; begin += chunk) {
    const int64_t batch = std::min(chunk, count - begin);
    StepContext context{batch, false, 0};
    float* out_batch = out + begin * output_size();
    const float* x_batch = x + begin * input_size_;
    if (ops_.empty()) {
      std::memcpy(out_batch, x_batch, sizeof(float) * static_cast<size_t>(batch * input_size_));
      continue;
    }
    Status status = forward(context, x_batch, ops_.size(), out_batch);
    if (status != Status::ok) return status;
    profiled_examples_ += batch;
  }
  return Status::ok;
}

Status Network::activations(const std::vector<float*>& outputs, const float* x, int64_t count) {
  reserve(count);
  StepContext context{count, false, 0};
  Status status = forward(context, x, ops_.size(), nullptr);
  if (status != Status::ok) return status;
  for (size_t index = 0; index < ops_.size() && index < outputs.size(); ++index) {
    std::memcpy(outputs[index], produced_[index],
                sizeof(float) * static_cast<size_t>(count * ops_[index]->output_size()));
  }
  return Status::ok;
}

}  // namespace faltung::network
