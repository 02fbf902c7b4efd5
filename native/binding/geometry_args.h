// Reading the packed window geometry (an Int32Array, see kernels/im2col.h) that the conv and
// pool bindings take: unpacked, range-checked and resolved, or a RangeError naming the field.
#pragma once

#include "../kernels/im2col.h"
#include "args.h"

namespace faltung::binding {

ConvGeometry read_geometry(Args& args, size_t index);

// Most cells one pooling window may cover. Max pooling's backward pass keeps per-thread scratch
// proportional to the window (padded cells included), so a window of 2^31 cells over a one-pixel
// input would ask for 16 GB; no real model pools over more than this.
constexpr int64_t kMaxPoolWindow = int64_t{1} << 24;

}  // namespace faltung::binding
