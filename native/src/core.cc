// Hand-written entry points that do not fit the op table: data in and out, metadata, autograd,
// random seeds, threads and devices.
#include <torch/torch.h>

#include <cstring>

#include "convert.h"
#include "tensor_table.h"

namespace hsa {

namespace {

struct ArrayKind {
  napi_typedarray_type js;
  at::ScalarType torch;
};

// The typed array that carries each dtype across the boundary (float16/bfloat16 travel as float32).
ArrayKind arrayKindOf(at::ScalarType t) {
  switch (t) {
    case at::kFloat: case at::kHalf: case at::kBFloat16: return {napi_float32_array, at::kFloat};
    case at::kDouble: return {napi_float64_array, at::kDouble};
    case at::kLong: return {napi_bigint64_array, at::kLong};
    case at::kInt: return {napi_int32_array, at::kInt};
    case at::kShort: return {napi_int16_array, at::kShort};
    case at::kChar: return {napi_int8_array, at::kChar};
    case at::kByte: case at::kBool: return {napi_uint8_array, at::kByte};
    default: throw std::invalid_argument("unsupported dtype " + dtypeName(t));
  }
}

const char* typedArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_int32_array: return "Int32Array";
    case napi_int16_array: return "Int16Array";
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    default: return "another typed array";
  }
}

// fromArray(typedArray, shape, dtype): copies the data into a new CPU tensor.
Napi::Value FromArray(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "fromArray", 3);
    if (!info[0].IsTypedArray()) throw Napi::TypeError::New(info.Env(), "fromArray: data must be a typed array");
    Napi::TypedArray arr = info[0].As<Napi::TypedArray>();
    std::vector<int64_t> shape = a.ints(1, "shape");
    at::ScalarType dtype = a.dtype(2, "dtype");
    ArrayKind kind = arrayKindOf(dtype);
    if (arr.TypedArrayType() != kind.js) {
      throw Napi::TypeError::New(info.Env(), std::string("fromArray: dtype ") + dtypeName(dtype) + " needs a " +
                                                 typedArrayName(kind.js) + ", got " + typedArrayName(arr.TypedArrayType()));
    }
    int64_t n = 1;
    for (int64_t d : shape) {
      if (d < 0) throw Napi::RangeError::New(info.Env(), "fromArray: negative dimension in shape");
      n *= d;
    }
    if (static_cast<size_t>(n) != arr.ElementLength()) {
      throw Napi::RangeError::New(info.Env(), "fromArray: shape holds " + std::to_string(n) + " elements but the array has " +
                                                  std::to_string(arr.ElementLength()));
    }
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(kind.torch));
    if (n > 0) {
      const uint8_t* src = static_cast<const uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
      std::memcpy(t.data_ptr(), src, arr.ByteLength());
    }
    if (dtype != kind.torch) t = dtype == at::kBool ? t.ne(0) : t.to(dtype);
    return toJs(info.Env(), t);
  });
}

// toArray(tensor): a copy of the data as a typed array (row-major).
Napi::Value ToArray(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "toArray", 1);
    at::Tensor t = a.tensor(0, "self");
    ArrayKind kind = arrayKindOf(t.scalar_type());
    at::Tensor c = t.detach().to(at::kCPU, kind.torch).contiguous();
    size_t bytes = c.nbytes();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), bytes);
    if (bytes) std::memcpy(buf.Data(), c.data_ptr(), bytes);
    napi_value out;
    NAPI_THROW_IF_FAILED(info.Env(), napi_create_typedarray(info.Env(), kind.js, static_cast<size_t>(c.numel()), buf, 0, &out), Napi::Value());
    return Napi::Value(info.Env(), out);
  });
}

Napi::Value Meta(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "meta", 1);
    at::Tensor t = a.tensor(0, "self");
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    Napi::Array shape = Napi::Array::New(env, t.dim());
    for (int64_t k = 0; k < t.dim(); ++k) shape.Set(static_cast<uint32_t>(k), Napi::Number::New(env, t.size(k)));
    o.Set("shape", shape);
    o.Set("dtype", dtypeName(t.scalar_type()));
    o.Set("device", deviceName(t.device()));
    o.Set("requiresGrad", t.requires_grad());
    o.Set("isLeaf", t.is_leaf());
    return o;
  });
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "shape", 1);
    at::Tensor t = a.tensor(0, "self");
    Napi::Array shape = Napi::Array::New(info.Env(), t.dim());
    for (int64_t k = 0; k < t.dim(); ++k) shape.Set(static_cast<uint32_t>(k), Napi::Number::New(info.Env(), t.size(k)));
    return shape;
  });
}

Napi::Value Describe(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "describe", 1);
    std::ostringstream os;
    os << a.tensor(0, "self");
    return Napi::String::New(info.Env(), os.str());
  });
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "grad", 1);
    return toJs(info.Env(), a.tensor(0, "self").grad());
  });
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "setGrad", 2);
    at::Tensor t = a.tensor(0, "self");
    auto g = a.optTensor(1, "grad");
    t.mutable_grad() = g ? *g : at::Tensor();
    return info.Env().Undefined();
  });
}

Napi::Value Backward(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "backward", 4);
    at::Tensor t = a.tensor(0, "self");
    auto g = a.optTensor(1, "gradient");
    bool retain = a.boolean(2, "retainGraph");
    bool create = a.boolean(3, "createGraph");
    t.backward(g ? *g : at::Tensor(), retain, create);
    return info.Env().Undefined();
  });
}

// autogradGrad(outputs, inputs, gradOutputs?, retainGraph, createGraph, allowUnused): torch.autograd.grad.
Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "autogradGrad", 6);
    auto outputs = a.tensors(0, "outputs");
    auto inputs = a.tensors(1, "inputs");
    std::vector<at::Tensor> gradOutputs;
    if (!info[2].IsUndefined() && !info[2].IsNull()) gradOutputs = a.tensors(2, "gradOutputs");
    bool retain = a.boolean(3, "retainGraph");
    bool create = a.boolean(4, "createGraph");
    bool allowUnused = a.boolean(5, "allowUnused");
    auto grads = torch::autograd::grad(outputs, inputs, gradOutputs, retain, create, allowUnused);
    return toJs(info.Env(), grads);
  });
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "setGradEnabled", 1);
    at::GradMode::set_enabled(a.boolean(0, "enabled"));
    return info.Env().Undefined();
  });
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "manualSeed", 1);
    torch::manual_seed(static_cast<uint64_t>(a.integer(0, "seed")));
    return info.Env().Undefined();
  });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Args a(info, "setNumThreads", 1);
    int64_t n = a.integer(0, "threads");
    if (n < 1) throw Napi::RangeError::New(info.Env(), "setNumThreads: threads must be >= 1");
    at::set_num_threads(static_cast<int>(n));
    return info.Env().Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value { return Napi::Boolean::New(info.Env(), torch::cuda::is_available()); });
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
  });
}

Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    if (torch::cuda::is_available()) torch::cuda::synchronize();
    return info.Env().Undefined();
  });
}

}  // namespace

void registerCore(Napi::Env env, Napi::Object exports) {
  auto fn = [&](const char* name, Napi::Function::Callback cb) { exports.Set(name, Napi::Function::New(env, cb, name)); };
  fn("fromArray", FromArray);
  fn("toArray", ToArray);
  fn("meta", Meta);
  fn("shape", Shape);
  fn("describe", Describe);
  fn("grad", Grad);
  fn("setGrad", SetGrad);
  fn("backward", Backward);
  fn("autogradGrad", AutogradGrad);
  fn("setGradEnabled", SetGradEnabled);
  fn("isGradEnabled", IsGradEnabled);
  fn("manualSeed", ManualSeed);
  fn("setNumThreads", SetNumThreads);
  fn("getNumThreads", GetNumThreads);
  fn("cudaIsAvailable", CudaIsAvailable);
  fn("cudaDeviceCount", CudaDeviceCount);
  fn("cudaSynchronize", CudaSynchronize);
  exports.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
}

}  // namespace hsa
