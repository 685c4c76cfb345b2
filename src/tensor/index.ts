// The tensor engine: libtorch through a thin, generated binding.
export * from './ops.generated.js';
export { Tensor, tensor } from './tensor.js';
export type { DType, Device, AnyArray } from './dtype.js';
export { Generator, manualSeed } from './generator.js';
export { tidy, keep, persist, dispose } from './scope.js';
export { noGrad, enableGrad, isGradEnabled, grad } from './autograd.js';
export { Optimizer, Adam, AdamW, SGD, type OptimizerOptions, type OptimizerKind } from './optim.js';
export { interpolate, gridSample, type InterpolateOptions } from './functional.js';
export { deviceType, sameDevice, autocast, isAutocastEnabled, initLazyDevice, type AutocastDtype } from './device.js';
export { cuda, setNumThreads, getNumThreads, liveTensors, torchVersion } from './runtime.js';
