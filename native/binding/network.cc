// The Network wrapper: `new Network(spec)` builds the native layer ops from a spec that
// lib/model.ts derives from the layers, and its methods run whole training steps, evaluation and
// prediction, synchronously or off the event loop. The wrapper keeps every weight array of the
// spec referenced, so the raw pointers the ops hold stay valid for its lifetime, and it refuses a
// second call while one is running (FALTUNG_BUSY).
#include <atomic>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "../kernels/activation.h"
#include "../kernels/embedding.h"
#include "../kernels/im2col.h"
#include "../kernels/pool.h"
#include "../network/activation_op.h"
#include "../network/batchnorm_op.h"
#include "../network/conv_op.h"
#include "../network/dense_op.h"
#include "../network/dropout_op.h"
#include "../network/embedding_op.h"
#include "../network/network.h"
#include "../network/pool_op.h"
#include "addon_data.h"
#include "args.h"
#include "buffer_guard.h"
#include "geometry_args.h"
#include "groups.h"
#include "job.h"
#include "spec_reader.h"

namespace faltung::binding {
namespace {

using network::LayerOp;
using network::LossKind;
using network::LossResult;
using network::Network;
using network::OptimizerConfig;
using network::OptimizerKind;

constexpr int64_t kMaxSize = int64_t{1} << 31;  // values per example, and per layer parameter

// Product of positive dimensions, or -1 once it passes kMaxSize (never overflows: each factor is
// at most 2^31 and the running product is checked before every multiplication).
int64_t bounded_product(std::initializer_list<int64_t> dims) {
  int64_t product = 1;
  for (int64_t dim : dims) {
    if (dim < 0 || (dim != 0 && product > kMaxSize / dim)) return -1;
    product *= dim;
  }
  return product;
}

ConvGeometry read_geometry(const SpecReader& layer, bool pooling) {
  const int32_t* packed = layer.i32("geometry", kGeometryFields);
  ConvGeometry geometry;
  const int bad_field = unpack_geometry(packed, &geometry);
  if (bad_field >= 0) {
    layer.fail_range("geometry", "plausible sizes", std::string("a bad ") + geometry_field_name(bad_field) + " (" +
                                                        std::to_string(packed[bad_field]) + ")");
  }
  geometry.batch = 1;
  Status status = resolve_geometry(&geometry);
  if (status == Status::ok && pooling) status = check_pool_geometry(geometry);
  if (status != Status::ok) {
    layer.fail_range("geometry", "a window that fits the (padded) input", "an impossible geometry");
  }
  if (pooling && geometry.window() > kMaxPoolWindow) {
    layer.fail_range("geometry", "a pooling window of at most " + std::to_string(kMaxPoolWindow) + " cells",
                     std::to_string(geometry.window()) + " cells");
  }
  // The op's per-example sizes and its kernel's length are products of int32 fields: bound them
  // before anything multiplies them unchecked (or allocates batch * output values).
  const ConvGeometry& g = geometry;
  const int64_t input = bounded_product({g.in[0], g.in[1], g.in[2], g.in_channels});
  const int64_t output = bounded_product({g.out[0], g.out[1], g.out[2], g.out_channels});
  const int64_t kernel = bounded_product({g.kernel[0], g.kernel[1], g.kernel[2], g.in_channels, g.out_channels});
  if (input < 0 || output < 0 || kernel < 0) {
    layer.fail_range("geometry", "at most 2^31 input values, output values and kernel weights per example",
                     std::string(input < 0 ? "more input values" : output < 0 ? "more output values" : "more kernel weights"));
  }
  return geometry;
}

Activation parse_activation(const SpecReader& layer, const std::string& name) {
  static const std::pair<const char*, Activation> known[] = {
      {"linear", Activation::linear}, {"relu", Activation::relu},       {"leakyRelu", Activation::leaky_relu},
      {"elu", Activation::elu},       {"sigmoid", Activation::sigmoid}, {"tanh", Activation::tanh}};
  for (const auto& [text, kind] : known) {
    if (name == text) return kind;
  }
  layer.fail_range("activation", "one of linear, relu, leakyRelu, elu, sigmoid, tanh", "'" + name + "'");
}

std::unique_ptr<LayerOp> build_op(const SpecReader& layer, uint64_t op_index) {
  const std::string kind = layer.string("kind");
  if (kind == "conv") {
    const ConvGeometry geometry = read_geometry(layer, false);
    float* kernel = layer.f32("kernel", geometry.columns() * geometry.out_channels, false);
    float* bias = layer.f32("bias", geometry.out_channels, true);
    return std::make_unique<network::ConvOp>(geometry, kernel, bias, layer.boolean("relu"));
  }
  if (kind == "pool") {
    const std::string pool = layer.string("pool");
    if (pool != "max" && pool != "avg") layer.fail_range("pool", "'max' or 'avg'", "'" + pool + "'");
    return std::make_unique<network::PoolOp>(pool == "max" ? network::PoolKind::max : network::PoolKind::average,
                                             read_geometry(layer, true));
  }
  if (kind == "globalPool") {
    const std::string pool = layer.string("pool");
    if (pool != "max" && pool != "avg") layer.fail_range("pool", "'max' or 'avg'", "'" + pool + "'");
    const int64_t positions = layer.integer("positions", 1, kMaxSize);
    const int64_t channels = layer.integer("channels", 1, kMaxSize);
    if (positions * channels > kMaxSize) layer.fail_range("positions", "positions * channels <= 2^31", "more");
    return std::make_unique<network::GlobalPoolOp>(
        pool == "max" ? network::PoolKind::max : network::PoolKind::average, positions, channels);
  }
  if (kind == "dense") {
    const int64_t rows = layer.integer("rows", 1, kMaxSize);
    const int64_t inputs = layer.integer("inputs", 1, kMaxSize);
    const int64_t units = layer.integer("units", 1, kMaxSize);
    if (inputs * units > kMaxSize || rows * inputs > kMaxSize || rows * units > kMaxSize) {
      layer.fail_range("units", "a layer with at most 2^31 weights and values per example", "more");
    }
    float* kernel = layer.f32("kernel", inputs * units, false);
    float* bias = layer.f32("bias", units, true);
    return std::make_unique<network::DenseOp>(rows, inputs, units, kernel, bias);
  }
  if (kind == "activation") {
    const Activation activation = parse_activation(layer, layer.string("activation"));
    const double alpha = layer.number("alpha", 0, 1e6);
    return std::make_unique<network::ActivationOp>(activation, static_cast<float>(alpha),
                                                   layer.integer("size", 1, kMaxSize));
  }
  if (kind == "softmax") {
    const int64_t size = layer.integer("size", 1, kMaxSize);
    const int64_t classes = layer.integer("classes", 1, size);
    if (size % classes != 0) layer.fail_range("classes", "a divisor of size", std::to_string(classes));
    return std::make_unique<network::SoftmaxOp>(size, classes);
  }
  if (kind == "dropout") {
    const double rate = layer.number("rate", 0, 0.999999);
    return std::make_unique<network::DropoutOp>(static_cast<float>(rate), layer.integer("size", 1, kMaxSize),
                                                op_index);
  }
  if (kind == "batchNorm") {
    const int64_t size = layer.integer("size", 1, kMaxSize);
    const int64_t channels = layer.integer("channels", 1, size);
    if (size % channels != 0) layer.fail_range("channels", "a divisor of size", std::to_string(channels));
    float* gamma = layer.f32("gamma", channels, true);
    float* beta = layer.f32("beta", channels, true);
    float* mean = layer.f32("movingMean", channels, false);
    float* variance = layer.f32("movingVariance", channels, false);
    const double momentum = layer.number("momentum", 0, 1);
    const double epsilon = layer.number("epsilon", 1e-12, 1);
    return std::make_unique<network::BatchNormOp>(size, channels, gamma, beta, mean, variance,
                                                  static_cast<float>(momentum), static_cast<float>(epsilon));
  }
  if (kind == "embedding") {
    const int64_t positions = layer.integer("positions", 1, kMaxSize);
    const int64_t vocabulary = layer.integer("inputDim", 1, kMaxEmbeddingVocabulary);
    const int64_t width = layer.integer("outputDim", 1, kMaxSize);
    if (positions * width > kMaxSize || vocabulary * width > kMaxSize) {
      layer.fail_range("outputDim", "a table and an output of at most 2^31 values", "more");
    }
    float* embeddings = layer.f32("embeddings", vocabulary * width, false);
    return std::make_unique<network::EmbeddingOp>(positions, vocabulary, width, embeddings);
  }
  layer.fail_range("kind", "one of conv, pool, globalPool, dense, activation, softmax, dropout, batchNorm, embedding",
                   "'" + kind + "'");
}

LossKind parse_loss(const SpecReader& spec) {
  const std::string loss = spec.string("loss");
  if (loss == "categoricalCrossentropy") return LossKind::categorical_crossentropy;
  if (loss == "sparseCategoricalCrossentropy") return LossKind::sparse_categorical_crossentropy;
  if (loss == "binaryCrossentropy") return LossKind::binary_crossentropy;
  if (loss == "meanSquaredError") return LossKind::mean_squared_error;
  spec.fail_range("loss",
                  "one of categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, meanSquaredError",
                  "'" + loss + "'");
}

OptimizerConfig parse_optimizer(const SpecReader& spec) {
  const SpecReader optimizer = spec.child("optimizer");
  OptimizerConfig config;
  const std::string kind = optimizer.string("kind");
  if (kind == "sgd") {
    config.kind = OptimizerKind::sgd;
    config.momentum = static_cast<float>(optimizer.number("momentum", 0, 1));
    config.nesterov = optimizer.boolean("nesterov");
  } else if (kind == "adam") {
    config.kind = OptimizerKind::adam;
    config.beta1 = static_cast<float>(optimizer.number("beta1", 0, 1));
    config.beta2 = static_cast<float>(optimizer.number("beta2", 0, 1));
    config.epsilon = static_cast<float>(optimizer.number("epsilon", 0, 1));
    config.weight_decay = static_cast<float>(optimizer.number("weightDecay", 0, 1e3));
    config.amsgrad = optimizer.boolean("amsgrad");
  } else if (kind == "rmsprop") {
    config.kind = OptimizerKind::rmsprop;
    config.rho = static_cast<float>(optimizer.number("rho", 0, 1));
    config.momentum = static_cast<float>(optimizer.number("momentum", 0, 1));
    config.epsilon = static_cast<float>(optimizer.number("epsilon", 0, 1));
    config.centered = optimizer.boolean("centered");
  } else {
    optimizer.fail_range("kind", "one of sgd, adam, rmsprop", "'" + kind + "'");
  }
  config.clip.clip_norm = static_cast<float>(optimizer.number("clipNorm", 0, 1e30));
  config.clip.clip_value = static_cast<float>(optimizer.number("clipValue", 0, 1e30));
  return config;
}

class NetworkWrap final : public Napi::ObjectWrap<NetworkWrap> {
 public:
  static Napi::Function define(Napi::Env env) {
    return DefineClass(env, "Network",
                       {InstanceMethod<&NetworkWrap::train_step>("trainStep"),
                        InstanceMethod<&NetworkWrap::evaluate>("evaluate"),
                        InstanceMethod<&NetworkWrap::predict>("predict"),
                        InstanceMethod<&NetworkWrap::compute_gradients>("computeGradients"),
                        InstanceMethod<&NetworkWrap::activations>("activations"),
                        InstanceMethod<&NetworkWrap::get_steps>("getSteps"),
                        InstanceMethod<&NetworkWrap::set_steps>("setSteps")});
  }

  explicit NetworkWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetworkWrap>(info) {
    Args args(info, "createNetwork", 1);
    const SpecReader spec(info.Env(), "createNetwork", info[0], "spec");
    const int64_t input_size = spec.integer("inputSize", 1, kMaxSize);
    const uint32_t layer_count = spec.array_length("layers");
    std::vector<std::unique_ptr<LayerOp>> ops;
    int64_t size = input_size;
    for (uint32_t index = 0; index < layer_count; ++index) {
      const SpecReader layer = spec.element("layers", index);
      std::unique_ptr<LayerOp> op = build_op(layer, index);
      // A frozen layer (Keras' trainable = false) keeps its weights: the optimizer skips them.
      const Napi::Value trainable = layer.value("trainable");
      if (!trainable.IsUndefined() && !(trainable.IsBoolean())) layer.fail_type("trainable", "a boolean", trainable);
      if (trainable.IsBoolean() && !trainable.As<Napi::Boolean>().Value()) {
        for (network::Parameter& parameter : op->parameters()) parameter.trainable = false;
      }
      if (op->output_size() < 1 || op->output_size() > kMaxSize) {
        layer.fail_range("kind", "a layer of 1 to 2^31 output values per example", std::to_string(op->output_size()));
      }
      if (op->input_size() != size) {
        layer.fail_range("kind", "a layer taking " + std::to_string(size) + " values per example (the previous output)",
                         "one taking " + std::to_string(op->input_size()));
      }
      size = op->output_size();
      // Keep every typed array of this layer alive as long as the wrapper, pinned (never detached
      // or shrunk: the ops hold raw pointers into them), with the pointer each op was given.
      Napi::Object object = layer.object();
      for (const char* key : {"kernel", "bias", "gamma", "beta", "movingMean", "movingVariance", "embeddings"}) {
        Napi::Value value = object.Get(key);
        if (!value.IsTypedArray()) continue;
        // SpecReader checked these are Float32Arrays (of fixed or shared buffers: Data() reads both).
        Napi::Float32Array array = value.As<Napi::Float32Array>();
        const std::string name = layer.path() + "." + key;
        pin_typed_array(info.Env(), "createNetwork", name, array);
        kept_.push_back(KeptArray{Napi::Persistent(value.As<Napi::Object>()), name, array.Data(), array.ElementLength()});
      }
      ops.push_back(std::move(op));
    }
    const LossKind loss = parse_loss(spec);
    const int64_t classes = spec.integer("classes", 1, size);
    if (size % classes != 0) spec.fail_range("classes", "a divisor of the output size " + std::to_string(size), std::to_string(classes));
    network_ = std::make_unique<Network>(std::move(ops), input_size, loss, classes, parse_optimizer(spec));
  }

 private:
  // The weights the ops point into must be where they were when the network was built. Pinning
  // stops transfers and resizes; this catches whatever else could detach a buffer, before any op
  // reads it.
  void check_weights(const Args& args) const {
    for (const KeptArray& kept : kept_) {
      Napi::Float32Array array = kept.array.Value().As<Napi::Float32Array>();
      if (array.Data() != kept.data || array.ElementLength() != kept.length) {
        throw make_faltung_error(args.env(), std::string(args.function_name()) + ": the weight array " + kept.name +
                                                 " was detached or resized after the network was built",
                                 "FALTUNG_WEIGHTS_DETACHED");
      }
    }
  }

  // Runs `job` (see run_job) with the network marked busy; releases it if queuing fails.
  template <typename Job>
  Napi::Value run_busy(Args& args, Job job, bool async) {
    // run_job would skip it too, but only after acquire: the job's run() is what releases busy_.
    if (args.all_arrays_empty()) return nothing_to_do(args.env(), async);
    check_weights(args);
    acquire(args);
    try {
      return run_job(args, job, async);
    } catch (...) {
      busy_.store(false, std::memory_order_release);
      throw;
    }
  }

  // Marks the network busy for the duration of one call; throws FALTUNG_BUSY if it already is.
  void acquire(const Args& args) {
    bool expected = false;
    // acq_rel: the winner sees the previous call's writes to the network's buffers.
    if (!busy_.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
      throw make_status_error(args.env(), args.function_name(), Status::busy);
    }
  }

  struct TrainJob {
    Network* network;
    std::atomic<bool>* busy;
    double* result;
    const float* x;
    const float* labels;
    int64_t batch;
    float learning_rate;
    uint64_t seed;
    bool training;      // computeGradients only
    bool update;        // trainStep: apply the optimizer
    Status run() const {
      LossResult out;
      const Status status = guarded_run([&] {
        return update ? network->train_step(x, labels, batch, learning_rate, seed, &out)
                      : network->compute_gradients(x, labels, batch, training, seed, &out);
      });
      result[0] = out.loss;
      result[1] = out.correct;
      result[2] = out.rows;
      busy->store(false, std::memory_order_release);  // release: publishes the updated weights
      return status;
    }
  };

  struct EvaluateJob {
    Network* network;
    std::atomic<bool>* busy;
    double* result;
    const float* x;
    const float* labels;
    int64_t count;
    int64_t batch_size;
    Status run() const {
      LossResult out;
      const Status status = guarded_run([&] { return network->evaluate(x, labels, count, batch_size, &out); });
      result[0] = out.loss;
      result[1] = out.correct;
      result[2] = out.rows;
      busy->store(false, std::memory_order_release);
      return status;
    }
  };

  struct PredictJob {
    Network* network;
    std::atomic<bool>* busy;
    float* out;
    const float* x;
    int64_t count;
    int64_t batch_size;
    Status run() const {
      const Status status = guarded_run([&] { return network->predict(out, x, count, batch_size); });
      busy->store(false, std::memory_order_release);
      return status;
    }
  };

  // The arguments trainStep and computeGradients share: (result: Float64Array(3), x, labels, batch).
  TrainJob read_batch(Args& args) {
    TrainJob job{};
    job.network = network_.get();
    job.busy = &busy_;
    job.batch = args.integer(3, "batch", 1, kMaxSize);
    job.result = args.f64(0, "result", 3);
    job.x = args.f32(1, "x", checked_product(args, "x (batch*inputSize)", {job.batch, network_->input_size()}));
    job.labels = args.f32(2, "labels", checked_product(args, "labels (batch*labelSize)", {job.batch, network_->label_size()}));
    return job;
  }

  // trainStep(result: Float64Array(3), x, labels, batch, learningRate, seed, async)
  Napi::Value train_step(const Napi::CallbackInfo& info) {
    Args args(info, "trainStep", 7);
    TrainJob job = read_batch(args);
    job.learning_rate = static_cast<float>(args.number(4, "learningRate"));
    job.seed = static_cast<uint64_t>(args.integer(5, "seed", 0, (int64_t{1} << 53) - 1));
    job.training = true;
    job.update = true;
    const bool async = args.boolean(6, "async");
    args.keep(info.This().As<Napi::Object>());
    return run_busy(args, job, async);
  }

  // computeGradients(result: Float64Array(3), x, labels, batch, training, seed) -> Float32Array[] (copies)
  Napi::Value compute_gradients(const Napi::CallbackInfo& info) {
    Args args(info, "computeGradients", 6);
    TrainJob job = read_batch(args);
    job.training = args.boolean(4, "training");
    job.seed = static_cast<uint64_t>(args.integer(5, "seed", 0, (int64_t{1} << 53) - 1));
    job.update = false;
    run_busy(args, job, false);
    Napi::Env env = info.Env();
    std::vector<network::Parameter*> parameters = network_->parameters();
    Napi::Array gradients = Napi::Array::New(env, parameters.size());
    for (uint32_t index = 0; index < parameters.size(); ++index) {
      const network::Parameter& parameter = *parameters[index];
      if (parameter.gradient.empty() || !parameter.trainable) {
        gradients.Set(index, env.Null());
        continue;
      }
      Napi::Float32Array copy = Napi::Float32Array::New(env, static_cast<size_t>(parameter.count));
      std::copy(parameter.gradient.begin(), parameter.gradient.begin() + parameter.count, copy.Data());
      gradients.Set(index, copy);
    }
    return gradients;
  }

  // evaluate(result: Float64Array(3), x, labels, count, batchSize, async)
  Napi::Value evaluate(const Napi::CallbackInfo& info) {
    Args args(info, "evaluate", 6);
    EvaluateJob job{};
    job.network = network_.get();
    job.busy = &busy_;
    job.count = args.integer(3, "count", 0, kMaxSize);
    job.batch_size = args.integer(4, "batchSize", 1, kMaxSize);
    job.result = args.f64(0, "result", 3);
    job.x = args.f32(1, "x", checked_product(args, "x (count*inputSize)", {job.count, network_->input_size()}));
    job.labels = args.f32(2, "labels", checked_product(args, "labels (count*labelSize)", {job.count, network_->label_size()}));
    const bool async = args.boolean(5, "async");
    args.keep(info.This().As<Napi::Object>());
    return run_busy(args, job, async);
  }

  // predict(out, x, count, batchSize, async)
  Napi::Value predict(const Napi::CallbackInfo& info) {
    Args args(info, "predict", 5);
    PredictJob job{};
    job.network = network_.get();
    job.busy = &busy_;
    job.count = args.integer(2, "count", 0, kMaxSize);
    job.batch_size = args.integer(3, "batchSize", 1, kMaxSize);
    job.out = args.f32(0, "out", checked_product(args, "out (count*outputSize)", {job.count, network_->output_size()}));
    job.x = args.f32(1, "x", checked_product(args, "x (count*inputSize)", {job.count, network_->input_size()}));
    const bool async = args.boolean(4, "async");
    args.keep(info.This().As<Napi::Object>());
    return run_busy(args, job, async);
  }

  // activations(outputs: Float32Array[] (one per layer op), x, count)
  Napi::Value activations(const Napi::CallbackInfo& info) {
    Args args(info, "activations", 3);
    const int64_t count = args.integer(2, "count", 1, kMaxSize);
    const float* x = args.f32(1, "x", checked_product(args, "x (count*inputSize)", {count, network_->input_size()}));
    Napi::Value list = info[0];
    if (!list.IsArray()) args.type_error("outputs", "an array of Float32Arrays", list);
    Napi::Array array = list.As<Napi::Array>();
    std::vector<float*> outputs;
    const std::vector<int64_t> op_sizes = network_->op_output_sizes();
    if (array.Length() != op_sizes.size()) {
      args.range_error("outputs", "an array of " + std::to_string(op_sizes.size()) + " Float32Arrays",
                       "length " + std::to_string(array.Length()));
    }
    for (uint32_t index = 0; index < array.Length(); ++index) {
      Napi::Value value = array.Get(index);
      if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
        args.type_error("outputs[i]", "a Float32Array", value);
      }
      Napi::Float32Array output = value.As<Napi::Float32Array>();
      const int64_t expected = checked_product(args, "outputs[i]", {count, op_sizes[index]});
      if (static_cast<int64_t>(output.ElementLength()) != expected) {
        args.range_error("outputs[i]", "length " + std::to_string(expected), "length " + std::to_string(output.ElementLength()));
      }
      outputs.push_back(output.Data());
    }
    check_weights(args);
    acquire(args);
    Status status = guarded_run([&] { return network_->activations(outputs, x, count); });
    busy_.store(false, std::memory_order_release);
    if (status != Status::ok) throw make_status_error(info.Env(), "activations", status);
    return info.Env().Undefined();
  }

  Napi::Value get_steps(const Napi::CallbackInfo& info) {
    Args args(info, "getSteps", 0);
    return Napi::Number::New(info.Env(), static_cast<double>(network_->steps()));
  }

  Napi::Value set_steps(const Napi::CallbackInfo& info) {
    Args args(info, "setSteps", 1);
    const int64_t steps = args.integer(0, "steps", 0, (int64_t{1} << 53) - 1);
    acquire(args);
    network_->set_steps(steps);
    busy_.store(false, std::memory_order_release);
    return info.Env().Undefined();
  }

  struct KeptArray {
    Napi::ObjectReference array;
    std::string name;   // spec path, for the error message
    const float* data;  // where the op's pointer points
    size_t length;
  };

  std::unique_ptr<Network> network_;
  std::vector<KeptArray> kept_;
  std::atomic<bool> busy_{false};
};

}  // namespace

void register_network(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = NetworkWrap::define(env);
  env.GetInstanceData<AddonData>()->network_class = Napi::Persistent(constructor);
  exports.Set("Network", constructor);
}

}  // namespace faltung::binding
