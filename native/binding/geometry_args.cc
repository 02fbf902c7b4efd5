// The one reader of packed geometries for the op bindings (the network spec has its own field
// paths in network.cc).
#include "geometry_args.h"

#include <string>

namespace faltung::binding {

ConvGeometry read_geometry(Args& args, size_t index) {
  const int32_t* packed = args.i32(index, "geometry", kGeometryFields);
  ConvGeometry geometry;
  const int bad = unpack_geometry(packed, &geometry);
  if (bad >= 0) {
    const std::string name = "geometry[" + std::to_string(bad) + "] (" + geometry_field_name(bad) + ")";
    const char* expected = bad == 3 ? "0 (explicit pads), 1 (valid) or 2 (same)"
                           : bad == 0 || bad >= 16 ? "an integer >= 0"
                                                   : "an integer >= 1";
    args.range_error(name.c_str(), expected, std::to_string(packed[bad]));
  }
  if (resolve_geometry(&geometry) != Status::ok) {
    args.range_error("geometry", "a window no larger than the padded input in every dimension",
                     "a window that does not fit");
  }
  return geometry;
}

}  // namespace faltung::binding
