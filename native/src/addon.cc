#include <napi.h>

#include "tensor_wrap.h"

namespace hsa {
void registerCore(Napi::Env env, Napi::Object exports);
void registerOptim(Napi::Env env, Napi::Object exports);
void registerOps(Napi::Env env, Napi::Object ops);
}  // namespace hsa

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  hsa::TensorWrap::Init(env, exports);
  hsa::GeneratorWrap::Init(env, exports);
  hsa::registerCore(env, exports);
  hsa::registerOptim(env, exports);
  Napi::Object ops = Napi::Object::New(env);
  hsa::registerOps(env, ops);
  exports.Set("ops", ops);
  return exports;
}

NODE_API_MODULE(hsa_torch, Init)
