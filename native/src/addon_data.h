// Per-environment state of the addon. Worker threads load the addon into their own JS environment;
// keeping state per environment (Node-API instance data) instead of in globals keeps them apart.
#pragma once
#include <napi.h>

#include "tensor_table.h"

namespace hsa {

struct AddonData {
  TensorTable tensors;
  Napi::FunctionReference generatorCtor;
};

inline AddonData& addonData(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }
inline TensorTable& tensorTable(Napi::Env env) { return addonData(env).tensors; }

}  // namespace hsa
