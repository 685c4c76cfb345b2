// Conversions between JS values and libtorch types, and the guard that turns every
// C++ exception into a JS Error so that no input from JS can crash the process.
#pragma once
#include <napi.h>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace hsa {

// Reads the arguments of one native call by position, with errors naming op and argument.
class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* op, size_t count);
  at::Tensor tensor(size_t i, const char* name) const;
  c10::optional<at::Tensor> optTensor(size_t i, const char* name) const;
  std::vector<at::Tensor> tensors(size_t i, const char* name) const;
  // A tensor, or a JS number turned into a 0-d "wrapped number" tensor (PyTorch's rule for Python scalars:
  // it does not promote the other operand's dtype).
  at::Tensor tensorOrScalar(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  c10::optional<double> optNumber(size_t i, const char* name) const;
  int64_t integer(size_t i, const char* name) const;
  c10::optional<int64_t> optInteger(size_t i, const char* name) const;
  std::vector<int64_t> ints(size_t i, const char* name) const;
  c10::optional<std::vector<int64_t>> optInts(size_t i, const char* name) const;
  bool boolean(size_t i, const char* name) const;
  std::string string(size_t i, const char* name) const;
  at::Scalar scalar(size_t i, const char* name) const;
  at::ScalarType dtype(size_t i, const char* name) const;
  c10::optional<at::ScalarType> optDtype(size_t i, const char* name) const;
  at::Device device(size_t i, const char* name) const;
  c10::optional<at::Generator> optGenerator(size_t i, const char* name) const;
  Napi::Env env() const { return info_.Env(); }
  const Napi::CallbackInfo& info() const { return info_; }

 private:
  Napi::Value at(size_t i) const { return info_[i]; }
  bool absent(size_t i) const;
  [[noreturn]] void fail(size_t i, const char* name, const char* expected) const;
  const Napi::CallbackInfo& info_;
  const char* op_;
};

at::ScalarType parseDtype(const std::string& s);
std::string dtypeName(at::ScalarType t);
std::string deviceName(const at::Device& d);

Napi::Value toJs(Napi::Env env, const at::Tensor& t);
Napi::Value toJs(Napi::Env env, const std::vector<at::Tensor>& ts);
Napi::Value toJs(Napi::Env env, const std::tuple<at::Tensor, at::Tensor>& ts);
Napi::Value toJs(Napi::Env env, const std::tuple<at::Tensor, at::Tensor, at::Tensor>& ts);
Napi::Value toJs(Napi::Env env, double v);
Napi::Value toJs(Napi::Env env, bool v);
Napi::Value toJs(Napi::Env env, int64_t v);

// Runs body; c10::Error and std::exception become a JS Error carrying libtorch's message.
template <typename F>
Napi::Value guard(const Napi::CallbackInfo& info, F&& body) {
  Napi::Env env = info.Env();
  try {
    return body();
  } catch (const Napi::Error& e) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  } catch (...) {
    throw Napi::Error::New(env, "unknown native error");
  }
}

}  // namespace hsa
