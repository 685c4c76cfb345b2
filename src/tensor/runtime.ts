import { native } from './native.js';

export const cuda = {
  isAvailable: (): boolean => native.cudaIsAvailable(),
  deviceCount: (): number => native.cudaDeviceCount(),
  synchronize: (): void => native.cudaSynchronize(),
};

export function setNumThreads(n: number): void {
  native.setNumThreads(n);
}
export function getNumThreads(): number {
  return native.getNumThreads();
}
/** Tensors created and not yet disposed or collected (for leak checks). */
export function liveTensors(): number {
  return native.liveTensors();
}
export function torchVersion(): string {
  return native.torchVersion;
}
