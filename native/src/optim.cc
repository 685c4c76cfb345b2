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
      torch::load(*opt_, is);
      followParameters();
      return info.Env().Undefined();
    });
  }
  // Each parameter's state goes where the parameter is: a checkpoint written on the CPU resumes on a GPU and
  // back. (torch::load's map_location knows CPU and CUDA only; this works for every device.)
  void followParameters() {
    for (auto& g : opt_->param_groups()) {
      for (auto& p : g.params()) {
        auto it = opt_->state().find(c10::guts::to_string(p.unsafeGetTensorImpl()));
        if (it == opt_->state().end()) continue;
        const at::Device d = p.device();
        auto move = [&](const at::Tensor& t) { return t.defined() ? t.to(d) : t; };
        auto* state = it->second.get();
        if (auto* a = dynamic_cast<torch::optim::AdamParamState*>(state)) {
          a->exp_avg(move(a->exp_avg())).exp_avg_sq(move(a->exp_avg_sq())).max_exp_avg_sq(move(a->max_exp_avg_sq()));
        } else if (auto* w = dynamic_cast<torch::optim::AdamWParamState*>(state)) {
          w->exp_avg(move(w->exp_avg())).exp_avg_sq(move(w->exp_avg_sq())).max_exp_avg_sq(move(w->max_exp_avg_sq()));
        } else if (auto* m = dynamic_cast<torch::optim::SGDParamState*>(state)) {
          m->momentum_buffer(move(m->momentum_buffer()));
        }
      }
    }
  }
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

}  // namespace

void registerOptim(Napi::Env env, Napi::Object exports) { exports.Set("NativeOptimizer", OptimizerWrap::Define(env)); }

}  // namespace hsa
