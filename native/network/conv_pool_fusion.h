// A convolution followed by a max pool, run as one step while training: the conv writes a few
// examples at a time into a per-thread buffer that stays in cache and the pool reads them from
// there, so the batch's whole conv output (11 MB for the MNIST convnet's first layer at batch 128)
// is never written to memory and read back. Deliberately training only: inference chunks already
// fit in cache, and Network::activations needs every layer's output.
#pragma once

#include "conv_op.h"
#include "layer_op.h"
#include "pool_op.h"

namespace faltung::network {

// Whether `next` may be fused after `op`: a conv, then a max pool over its output.
bool conv_pool_fusable(const LayerOp& op, const LayerOp& next);

// Whether a step of `batch` examples gains from the fusion (enough examples for the threads).
bool conv_pool_worth_fusing(int64_t batch);

// x (batch, conv input) -> y (batch, pool output) and the pool's winners, with the same values
// as ConvOp::forward then PoolOp::forward; the conv's output is not kept.
Status conv_pool_forward(ConvOp& conv, PoolOp& pool, const StepContext& context, const float* x, float* y);

// dy (batch, pool output) -> the conv's parameter gradients and dx (batch, conv input; nullptr
// for none), the same bits as PoolOp::backward then ConvOp::backward: relu' is taken from the
// pooled values y (the winners' own values), so the conv's output is not needed. dconv: scratch
// of (batch, conv output) floats for the gradient between them.
Status conv_pool_backward(ConvOp& conv, PoolOp& pool, const StepContext& context, const float* x, const float* y,
                          const float* dy, float* dconv, float* dx);

}  // namespace faltung::network
