// A small nn library on the tensor engine, with PyTorch's module tree, parameter names and initialisations.
export { Module, Layer, StateDictError, type LoadReport } from './module.js';
export { recordToTensor, tensorToRecord } from './record.js';
export { uniform, defaultBound, zeroModule } from './init.js';
export { Linear } from './linear.js';
export { Conv2d, Conv1d, type ConvOptions } from './conv.js';
export { GroupNorm, GroupNorm32, normalization } from './norm.js';
export { Identity, SiLU, Dropout, AvgPool2d, AdaptiveAvgPool2d, UpsampleNearest, Flatten } from './stateless.js';
export { ModuleList, Sequential } from './container.js';
