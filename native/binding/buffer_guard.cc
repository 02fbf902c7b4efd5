// Implementation of buffer_guard.h.
#include "buffer_guard.h"

#include <vector>

#include "addon_data.h"
#include "args.h"

namespace faltung::binding {

void pin_typed_array(Napi::Env env, const char* function_name, const std::string& name, const Napi::TypedArray& array) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data == nullptr || data->buffer_pinner.IsEmpty()) return;
  // napi_get_typedarray_info: the real backing buffer, whatever a `buffer` property might say.
  Napi::Value buffer = array.ArrayBuffer();
  Napi::Value pinned = data->buffer_pinner.Call({buffer});
  if (!pinned.IsBoolean() || !pinned.As<Napi::Boolean>().Value()) {
    throw Napi::TypeError::New(env, std::string(function_name) + ": " + name +
                                        " must be a typed array over a fixed-length ArrayBuffer, got one over a "
                                        "resizable ArrayBuffer (it could shrink while native code uses it)");
  }
}

void pin_used_arrays(const Args& args) {
  const std::vector<Napi::Object>& used = args.used_objects();
  const std::vector<const char*>& names = args.used_names();
  for (size_t index = 0; index < used.size(); ++index) {
    if (!used[index].IsTypedArray()) continue;  // e.g. a kept `this`
    pin_typed_array(args.env(), args.function_name(), names[index] != nullptr ? names[index] : "an array",
                    used[index].As<Napi::TypedArray>());
  }
}

}  // namespace faltung::binding
