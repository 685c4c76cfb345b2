// Devices beyond plain CPU kernels: autocast (mixed precision) and libtorch's lazy-tensor device, on which
// the tests prove device placement where no GPU is present.
#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "convert.h"

// The TorchScript lazy backend ships with libtorch builds that have it (Debian's and PyTorch's do).
#if __has_include(<torch/csrc/lazy/ts_backend/ts_backend_impl.h>)
#include <torch/csrc/lazy/ts_backend/ts_backend_impl.h>
#define HSA_HAVE_LAZY 1
#endif

namespace hsa {

namespace {

bool isCudaType(Args& a, size_t i) {
  std::string type = a.string(i, "deviceType");
  if (type == "cpu") return false;
  if (type == "cuda") return true;
  throw Napi::TypeError::New(a.env(), "autocast: deviceType must be 'cpu' or 'cuda', got '" + type + "'");
}

Napi::Object stateOf(Napi::Env env, bool cuda) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("enabled", cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled());
  o.Set("dtype", dtypeName(cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype()));
  return o;
}

// autocastEnter(deviceType, dtype): enables autocast (thread-local, this thread runs every op); returns the
// previous {enabled, dtype} for autocastExit.
Napi::Value AutocastEnter(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "autocastEnter", 2);
    bool cuda = isCudaType(a, 0);
    at::ScalarType dtype = a.dtype(1, "dtype");
    if (dtype != at::kBFloat16 && dtype != at::kHalf) throw Napi::TypeError::New(info.Env(), "autocast: dtype must be bfloat16 or float16");
    Napi::Object prev = stateOf(info.Env(), cuda);
    if (cuda) {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    } else {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    }
    at::autocast::increment_nesting();
    return prev;
  });
}

// autocastExit(deviceType, enabled, dtype): restores a state; the outermost exit drops the cached weight casts,
// which would otherwise outlive an optimizer step.
Napi::Value AutocastExit(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "autocastExit", 3);
    bool cuda = isCudaType(a, 0);
    bool enabled = a.boolean(1, "enabled");
    at::ScalarType dtype = a.dtype(2, "dtype");
    if (cuda) {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(enabled);
    } else {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(enabled);
    }
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    return info.Env().Undefined();
  });
}

Napi::Value AutocastState(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "autocastState", 1);
    return stateOf(info.Env(), isCudaType(a, 0));
  });
}

// lazyInit(): registers the lazy device (idempotent); false where this libtorch has no lazy backend.
Napi::Value LazyInit(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
#ifdef HSA_HAVE_LAZY
    static bool done = false;
    if (!done) torch::lazy::InitTorchScriptBackend();
    done = true;
    return Napi::Boolean::New(info.Env(), true);
#else
    return Napi::Boolean::New(info.Env(), false);
#endif
  });
}

}  // namespace

void registerDevice(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("autocastEnter", AutocastEnter);
  fn("autocastExit", AutocastExit);
  fn("autocastState", AutocastState);
  fn("lazyInit", LazyInit);
}

}  // namespace hsa
