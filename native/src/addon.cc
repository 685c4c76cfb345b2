#include <napi.h>

#include "generator_wrap.h"
#include "addon_data.h"

namespace hsa {
void registerCore(Napi::Env env, Napi::Object exports);
void registerOptim(Napi::Env env, Napi::Object exports);
void registerDevice(Napi::Env env, Napi::Object exports);
void registerOps(Napi::Env env, Napi::Object ops);
}  // namespace hsa

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new hsa::AddonData());
  hsa::registerTable(env, exports);
  hsa::GeneratorWrap::Init(env, exports);
  hsa::registerCore(env, exports);
  hsa::registerOptim(env, exports);
  hsa::registerDevice(env, exports);
  Napi::Object ops = Napi::Object::New(env);
  hsa::registerOps(env, ops);
  exports.Set("ops", ops);
  return exports;
}

NODE_API_MODULE(hsa_torch, Init)
