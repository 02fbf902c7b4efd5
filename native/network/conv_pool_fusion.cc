// Implementation of conv_pool_fusion.h. Examples go through in fixed groups (by size, not by
// thread); each group's conv and pool run on one thread, and their kernels, called inside the
// region, run inline there. An example's outputs never depend on its group (the conv kernels give
// the same values whatever the batch), so the results equal the separate ops' bit for bit.
#include "conv_pool_fusion.h"

#include <algorithm>
#include <atomic>

#include "../runtime/scratch.h"
#include "../runtime/thread_pool.h"

namespace faltung::network {
namespace {

// Conv output per group: small enough to stay in L2 until the pool reads it, large enough that an
// im2col conv's GEMM has a few thousand rows.
constexpr int64_t kGroupBytes = int64_t{512} << 10;

}  // namespace

bool conv_pool_worth_fusing(int64_t batch) {
  // Each example's conv runs on one thread here (the kernels run inline inside the region), so
  // with fewer examples than threads the ops apart, each split across the threads, are faster.
  return batch >= std::max(num_threads(), 1);
}

bool conv_pool_fusable(const LayerOp& op, const LayerOp& next) {
  const auto* pool = dynamic_cast<const PoolOp*>(&next);
  return dynamic_cast<const ConvOp*>(&op) != nullptr && pool != nullptr && pool->kind() == PoolKind::max &&
         pool->input_size() == op.output_size();
}

Status conv_pool_forward(ConvOp& conv, PoolOp& pool, const StepContext& context, const float* x, float* y) {
  const int64_t batch = context.batch;
  const int64_t in = conv.input_size(), mid = conv.output_size(), out = pool.output_size();
  // At most ceil(batch / threads) examples per group, so that every thread gets work.
  const int64_t per_thread = (batch + num_threads() - 1) / std::max(num_threads(), 1);
  const int64_t group = std::clamp<int64_t>(std::min(kGroupBytes / (std::max<int64_t>(mid, 1) * 4), per_thread), 1,
                                            std::max<int64_t>(batch, 1));
  const int64_t groups = (batch + group - 1) / group;
  pool.reserve_argmax(batch);  // here, on the calling thread: it may allocate
  std::atomic<int64_t> next{0};
  std::atomic<int> failure{static_cast<int>(Status::ok)};
  parallel_run(num_threads(), [&](int, int) {
    float* scratch = nullptr;
    for (;;) {
      // Relaxed: the counter only hands out group numbers; each group's data is its own.
      const int64_t index = next.fetch_add(1, std::memory_order_relaxed);
      if (index >= groups) break;
      const int64_t first = index * group, count = std::min(group, batch - first);
      if (scratch == nullptr) scratch = thread_scratch(ScratchSlot::fused, static_cast<size_t>(group * mid));
      Status status = scratch == nullptr ? Status::out_of_memory : conv.forward_examples(x + first * in, scratch, count);
      if (status == Status::ok) status = pool.forward_examples_argmax(scratch, y + first * out, first, count);
      // Relaxed: parallel_run's completion orders it before the read below.
      if (status != Status::ok) failure.store(static_cast<int>(status), std::memory_order_relaxed);
    }
  });
  return static_cast<Status>(failure.load(std::memory_order_relaxed));
}

Status conv_pool_backward(ConvOp& conv, PoolOp& pool, const StepContext& context, const float* x, const float* y,
                          const float* dy, float* dconv, float* dx) {
  // Without a relu there is no mask: a plain scatter.
  const Status status = pool.backward_through_relu(context, conv.relu() ? y : nullptr, dy, dconv);
  if (status != Status::ok) return status;
  return conv.backward_masked(context, x, dconv, dx);
}

}  // namespace faltung::network
