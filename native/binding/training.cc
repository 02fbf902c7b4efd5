// Placeholder registration for the training group while its kernels are being written.
#include "groups.h"

namespace faltung::binding {
void register_training(Napi::Env, Napi::Object) {}
}  // namespace faltung::binding
