#include "generator_wrap.h"

#include "addon_data.h"
#include "convert.h"

namespace hsa {

void GeneratorWrap::Init(Napi::Env env, Napi::Object exports) {
  Napi::Function f = DefineClass(env, "NativeGenerator",
                                 {InstanceMethod("seed", &GeneratorWrap::Seed),
                                  InstanceMethod("getState", &GeneratorWrap::GetState),
                                  InstanceMethod("setState", &GeneratorWrap::SetState)});
  addonData(env).generatorCtor = Napi::Persistent(f);
  exports.Set("NativeGenerator", f);
}

bool GeneratorWrap::Is(const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(addonData(v.Env()).generatorCtor.Value());
}

// new NativeGenerator(seed): a CPU generator; random tensors are drawn on the CPU and moved, so results
// do not depend on the device.
GeneratorWrap::GeneratorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GeneratorWrap>(info) {
  guard(info, [&]() -> Napi::Value {
    Args a(info, "Generator", 1);
    gen_ = at::make_generator<at::CPUGeneratorImpl>(static_cast<uint64_t>(a.integer(0, "seed")));
    return info.Env().Undefined();
  });
}

Napi::Value GeneratorWrap::Seed(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "Generator.seed", 1);
    std::lock_guard<std::mutex> lock(gen_.mutex());
    gen_.set_current_seed(static_cast<uint64_t>(a.integer(0, "seed")));
    return info.Env().Undefined();
  });
}

Napi::Value GeneratorWrap::GetState(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    std::lock_guard<std::mutex> lock(gen_.mutex());
    return toJs(info.Env(), gen_.get_state());
  });
}

Napi::Value GeneratorWrap::SetState(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "Generator.setState", 1);
    at::Tensor s = a.tensor(0, "state");
    std::lock_guard<std::mutex> lock(gen_.mutex());
    gen_.set_state(s);
    return info.Env().Undefined();
  });
}

}  // namespace hsa
