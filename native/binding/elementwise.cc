// Placeholder registration for the elementwise group while its kernels are being written.
#include "groups.h"

namespace faltung::binding {
void register_elementwise(Napi::Env, Napi::Object) {}
}  // namespace faltung::binding
