// Placeholder registration for the conv group while its kernels are being written.
#include "groups.h"

namespace faltung::binding {
void register_conv(Napi::Env, Napi::Object) {}
}  // namespace faltung::binding
