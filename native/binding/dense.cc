// Placeholder registration for the dense group while its kernels are being written.
#include "groups.h"

namespace faltung::binding {
void register_dense(Napi::Env, Napi::Object) {}
}  // namespace faltung::binding
