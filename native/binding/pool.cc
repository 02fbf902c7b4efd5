// Placeholder registration for the pool group while its kernels are being written.
#include "groups.h"

namespace faltung::binding {
void register_pool(Napi::Env, Napi::Object) {}
}  // namespace faltung::binding
