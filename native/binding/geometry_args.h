// Reading the packed window geometry (an Int32Array, see kernels/im2col.h) that the conv and
// pool bindings take: unpacked, range-checked and resolved, or a RangeError naming the field.
#pragma once

#include "../kernels/im2col.h"
#include "args.h"

namespace faltung::binding {

ConvGeometry read_geometry(Args& args, size_t index);

}  // namespace faltung::binding
