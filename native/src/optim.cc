// Optimizers run by libtorch (torch::optim), driven from JS. State travels as libtorch's own
// serialisation bytes so that a resumed run continues exactly.
#include <torch/torch.h>

#include <sstream>

#include "convert.h"

namespace hsa {

namespace {

class OptimizerWrap : public Napi::ObjectWrap<OptimizerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeOptimizer",
                       {InstanceMethod("step", &OptimizerWrap::Step), InstanceMethod("zeroGrad", &OptimizerWrap::ZeroGrad),
                        InstanceMethod("setLr", &OptimizerWrap::SetLr), InstanceMethod("saveState", &OptimizerWrap::SaveState),
                        InstanceMethod("loadState", &OptimizerWrap::LoadState)});
  }

  // new NativeOptimizer(kind, params, {lr, beta1, beta2, eps, weightDecay, momentum, nesterov})
  explicit OptimizerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OptimizerWrap>(info) {
    guard(info, [&]() -> Napi::Value {
      Args a(info, "Optimizer", 3);
      std::string kind = a.string(0, "kind");
      auto params = a.tensors(1, "params");
      if (!info[2].IsObject()) throw Napi::TypeError::New(info.Env(), "Optimizer: options must be an object");
      Napi::Object o = info[2].As<Napi::Object>();
      auto num = [&](const char* key, double def) {
        Napi::Value v = o.Get(key);
        if (v.IsUndefined()) return def;
        if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("Optimizer: option ") + key + " must be a number");
        return v.As<Napi::Number>().DoubleValue();
      };
      double lr = num("lr", 1e-3);
      if (kind == "adam") {
        opt_ = std::make_unique<torch::optim::Adam>(
            params, torch::optim::AdamOptions(lr).betas({num("beta1", 0.9), num("beta2", 0.999)}).eps(num("eps", 1e-8)).weight_decay(num("weightDecay", 0)));
      } else if (kind == "adamw") {
        opt_ = std::make_unique<torch::optim::AdamW>(
            params, torch::optim::AdamWOptions(lr).betas({num("beta1", 0.9), num("beta2", 0.999)}).eps(num("eps", 1e-8)).weight_decay(num("weightDecay", 1e-2)));
      } else if (kind == "sgd") {
        Napi::Value nest = o.Get("nesterov");
        opt_ = std::make_unique<torch::optim::SGD>(
            params, torch::optim::SGDOptions(lr).momentum(num("momentum", 0)).weight_decay(num("weightDecay", 0)).nesterov(nest.IsBoolean() && nest.As<Napi::Boolean>().Value()));
      } else {
        throw Napi::TypeError::New(info.Env(), "Optimizer: kind must be 'adam', 'adamw' or 'sgd', got '" + kind + "'");
      }
      return info.Env().Undefined();
    });
  }

 private:
  Napi::Value Step(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      at::NoGradGuard ng;
      opt_->step();
      return info.Env().Undefined();
    });
  }
  Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      opt_->zero_grad();
      return info.Env().Undefined();
    });
  }
  Napi::Value SetLr(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      Args a(info, "Optimizer.setLr", 1);
      double lr = a.number(0, "lr");
      for (auto& g : opt_->param_groups()) g.options().set_lr(lr);
      return info.Env().Undefined();
    });
  }
  Napi::Value SaveState(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      std::ostringstream os;
      torch::save(*opt_, os);
      std::string s = os.str();
      return Napi::Buffer<char>::Copy(info.Env(), s.data(), s.size());
    });
  }
  Napi::Value LoadState(const Napi::CallbackInfo& info) {
    return guard(info, [&]() -> Napi::Value {
      if (info.Length() != 1 || !info[0].IsBuffer()) throw Napi::TypeError::New(info.Env(), "Optimizer.loadState: expects a Buffer");
      auto buf = info[0].As<Napi::Buffer<char>>();
      std::istringstream is(std::string(buf.Data(), buf.Length()));
      // The moments go where the parameters are: a checkpoint written on the CPU resumes on a GPU and back.
      c10::optional<at::Device> device;
      for (auto& g : opt_->param_groups()) {
        if (!g.params().empty()) {
          device = g.params()[0].device();
          break;
        }
      }
      torch::load(*opt_, is, device);
      return info.Env().Undefined();
    });
  }
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

}  // namespace

void registerOptim(Napi::Env env, Napi::Object exports) { exports.Set("NativeOptimizer", OptimizerWrap::Define(env)); }

}  // namespace hsa
