#include "convert.h"

#include <cmath>

#include "generator_wrap.h"
#include "addon_data.h"

namespace hsa {

Args::Args(const Napi::CallbackInfo& info, const char* op, size_t count) : info_(info), op_(op) {
  if (info.Length() > count) {
    throw Napi::TypeError::New(info.Env(), std::string(op) + ": expected at most " + std::to_string(count) +
                                               " arguments, got " + std::to_string(info.Length()));
  }
}

bool Args::absent(size_t i) const {
  return i >= info_.Length() || info_[i].IsUndefined() || info_[i].IsNull();
}

void Args::fail(size_t i, const char* name, const char* expected) const {
  throw Napi::TypeError::New(info_.Env(), std::string(op_) + ": argument " + std::to_string(i) + " (" + name +
                                              ") must be " + expected);
}

at::Tensor Args::tensor(size_t i, const char* name) const {
  if (absent(i) || !at(i).IsNumber()) fail(i, name, "a Tensor");
  return tensorTable(info_.Env()).get(info_.Env(), at(i).As<Napi::Number>().DoubleValue());
}

c10::optional<at::Tensor> Args::optTensor(size_t i, const char* name) const {
  if (absent(i)) return c10::nullopt;
  return tensor(i, name);
}

std::vector<at::Tensor> Args::tensors(size_t i, const char* name) const {
  if (absent(i) || !at(i).IsArray()) fail(i, name, "an array of Tensors");
  Napi::Array a = at(i).As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) fail(i, name, "an array of Tensors");
    out.push_back(tensorTable(info_.Env()).get(info_.Env(), v.As<Napi::Number>().DoubleValue()));
  }
  return out;
}

// Here JS passes the Tensor object itself (its `native` field holds the handle), since a plain number
// means a scalar.
at::Tensor Args::tensorOrScalar(size_t i, const char* name) const {
  if (!absent(i) && at(i).IsObject()) {
    Napi::Value h = at(i).As<Napi::Object>().Get("native");
    if (!h.IsNumber()) fail(i, name, "a Tensor or a number");
    return tensorTable(info_.Env()).get(info_.Env(), h.As<Napi::Number>().DoubleValue());
  }
  if (!absent(i) && (at(i).IsNumber() || at(i).IsBoolean())) {
    at::Tensor t = c10::scalar_to_tensor(scalar(i, name));
    t.unsafeGetTensorImpl()->set_wrapped_number(true);
    return t;
  }
  fail(i, name, "a Tensor or a number");
}

double Args::number(size_t i, const char* name) const {
  if (absent(i) || !at(i).IsNumber()) fail(i, name, "a number");
  return at(i).As<Napi::Number>().DoubleValue();
}

c10::optional<double> Args::optNumber(size_t i, const char* name) const {
  if (absent(i)) return c10::nullopt;
  return number(i, name);
}

static bool isInt(double d) { return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.007199254740992e15; }

int64_t Args::integer(size_t i, const char* name) const {
  if (absent(i) || !at(i).IsNumber()) fail(i, name, "an integer");
  double d = at(i).As<Napi::Number>().DoubleValue();
  if (!isInt(d)) fail(i, name, "an integer");
  return static_cast<int64_t>(d);
}

c10::optional<int64_t> Args::optInteger(size_t i, const char* name) const {
  if (absent(i)) return c10::nullopt;
  return integer(i, name);
}

std::vector<int64_t> Args::ints(size_t i, const char* name) const {
  if (!absent(i) && at(i).IsNumber()) return {integer(i, name)};
  if (absent(i) || !at(i).IsArray()) fail(i, name, "an array of integers");
  Napi::Array a = at(i).As<Napi::Array>();
  std::vector<int64_t> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber() || !isInt(v.As<Napi::Number>().DoubleValue())) fail(i, name, "an array of integers");
    out.push_back(static_cast<int64_t>(v.As<Napi::Number>().DoubleValue()));
  }
  return out;
}

c10::optional<std::vector<int64_t>> Args::optInts(size_t i, const char* name) const {
  if (absent(i)) return c10::nullopt;
  return ints(i, name);
}

bool Args::boolean(size_t i, const char* name) const {
  if (absent(i) || !at(i).IsBoolean()) fail(i, name, "a boolean");
  return at(i).As<Napi::Boolean>().Value();
}

std::string Args::string(size_t i, const char* name) const {
  if (absent(i) || !at(i).IsString()) fail(i, name, "a string");
  return at(i).As<Napi::String>().Utf8Value();
}

at::Scalar Args::scalar(size_t i, const char* name) const {
  if (!absent(i) && at(i).IsBoolean()) return at::Scalar(at(i).As<Napi::Boolean>().Value());
  if (absent(i) || !at(i).IsNumber()) fail(i, name, "a number");
  double d = at(i).As<Napi::Number>().DoubleValue();
  // JS has one number type; integral values act like Python ints so integer tensors stay integer.
  if (isInt(d)) return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}

at::ScalarType Args::dtype(size_t i, const char* name) const {
  std::string s = string(i, name);
  try {
    return parseDtype(s);
  } catch (const std::exception&) {
    fail(i, name, "a dtype (float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool)");
  }
}

c10::optional<at::ScalarType> Args::optDtype(size_t i, const char* name) const {
  if (absent(i)) return c10::nullopt;
  return dtype(i, name);
}

at::Device Args::device(size_t i, const char* name) const {
  if (absent(i)) return at::Device(at::kCPU);
  return at::Device(string(i, name));
}

c10::optional<at::Generator> Args::optGenerator(size_t i, const char* name) const {
  if (absent(i)) return c10::nullopt;
  if (!GeneratorWrap::Is(at(i))) fail(i, name, "a Generator");
  return Napi::ObjectWrap<GeneratorWrap>::Unwrap(at(i).As<Napi::Object>())->generator();
}

at::ScalarType parseDtype(const std::string& s) {
  if (s == "float32") return at::kFloat;
  if (s == "float64") return at::kDouble;
  if (s == "float16") return at::kHalf;
  if (s == "bfloat16") return at::kBFloat16;
  if (s == "int64") return at::kLong;
  if (s == "int32") return at::kInt;
  if (s == "int16") return at::kShort;
  if (s == "int8") return at::kChar;
  if (s == "uint8") return at::kByte;
  if (s == "bool") return at::kBool;
  throw std::invalid_argument("unknown dtype '" + s + "'");
}

std::string dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

std::string deviceName(const at::Device& d) { return d.str(); }

Napi::Value toJs(Napi::Env env, const at::Tensor& t) {
  if (!t.defined()) return env.Undefined();
  return Napi::Number::New(env, tensorTable(env).add(t));
}

Napi::Value toJs(Napi::Env env, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t k = 0; k < ts.size(); ++k) a.Set(static_cast<uint32_t>(k), toJs(env, ts[k]));
  return a;
}

Napi::Value toJs(Napi::Env env, const std::tuple<at::Tensor, at::Tensor>& ts) {
  return toJs(env, std::vector<at::Tensor>{std::get<0>(ts), std::get<1>(ts)});
}

Napi::Value toJs(Napi::Env env, const std::tuple<at::Tensor, at::Tensor, at::Tensor>& ts) {
  return toJs(env, std::vector<at::Tensor>{std::get<0>(ts), std::get<1>(ts), std::get<2>(ts)});
}

Napi::Value toJs(Napi::Env env, double v) { return Napi::Number::New(env, v); }
Napi::Value toJs(Napi::Env env, bool v) { return Napi::Boolean::New(env, v); }
Napi::Value toJs(Napi::Env env, int64_t v) { return Napi::Number::New(env, static_cast<double>(v)); }

}  // namespace hsa
