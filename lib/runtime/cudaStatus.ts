/** What the CUDA runtime answered when asked for its devices (native `devices().cuda.probe`). */
export interface CudaProbe {
  /** cudaError_t of cudaGetDeviceCount; 0 when it succeeded. */
  error: number;
  errorName: string;
  /** The installed driver's CUDA version, 1000 * major + 10 * minor; 0 where no driver is installed. */
  driverVersion: number;
  /** The CUDA runtime this build was compiled against, same encoding. */
  runtimeVersion: number;
  deviceCount: number;
}

/** Why CUDA cannot be used, as a kind a program can test and a message a person can act on. */
export interface CudaUnavailable {
  kind: 'not-compiled' | 'no-driver' | 'driver-too-old' | 'driver-mismatch' | 'no-device' | 'busy' | 'other';
  message: string;
}

// cudaError_t values (driver_types.h; stable across CUDA releases).
const INITIALIZATION_ERROR = 3;
const STUB_LIBRARY = 34;
const INSUFFICIENT_DRIVER = 35;
const DEVICES_UNAVAILABLE = 46;
const NO_DEVICE = 100;
const SYSTEM_DRIVER_MISMATCH = 803;
const COMPAT_NOT_SUPPORTED = 804;

/** 13000 → "13.0", 12020 → "12.2". */
export function cudaVersionString(v: number): string {
  return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
}

/**
 * Maps what the CUDA runtime said to the reason CUDA is unavailable; null when it is usable as far
 * as the probe goes (`fallback`, the native layer's own reason, still applies then, e.g. a GPU
 * older than the build's kernels). A statically linked CUDA runtime reports a missing driver as
 * "driver version is insufficient" (cudaErrorInsufficientDriver with a driver version of 0): told
 * apart here, since the fix is to install a driver, not to update one.
 *
 * @example
 * cudaUnavailable(true, { error: 35, errorName: 'cudaErrorInsufficientDriver', driverVersion: 0, runtimeVersion: 13000, deviceCount: 0 });
 * // { kind: 'no-driver', message: 'no NVIDIA driver found (…)' }
 */
export function cudaUnavailable(compiled: boolean, probe: CudaProbe | undefined, fallback?: string): CudaUnavailable | null {
  if (!compiled) {
    return {
      kind: 'not-compiled',
      message:
        'CUDA not compiled in (a CPU-only build: no CUDA compiler at build time, or FATHOM_CUDA=OFF); FATHOM_BUILD_FROM_SOURCE=1 npm rebuild fathom-gnn with the CUDA toolkit builds it',
    };
  }
  if (!probe) return fallback ? { kind: 'other', message: fallback } : null;
  const runtime = cudaVersionString(probe.runtimeVersion);
  const noDriver = probe.error === STUB_LIBRARY || ((probe.error === INSUFFICIENT_DRIVER || probe.error === INITIALIZATION_ERROR) && probe.driverVersion === 0);
  if (noDriver) {
    return {
      kind: 'no-driver',
      message: `no NVIDIA driver found (libcuda.so is missing${probe.error === STUB_LIBRARY ? ' or only the toolkit stub is on the library path' : ''}); install the NVIDIA driver to use the GPU`,
    };
  }
  if (probe.error === INSUFFICIENT_DRIVER) {
    return {
      kind: 'driver-too-old',
      message: `the NVIDIA driver is too old for this build: it supports CUDA ${cudaVersionString(probe.driverVersion)}, this build needs CUDA ${runtime}; update the driver or build from source against an older toolkit`,
    };
  }
  if (probe.error === SYSTEM_DRIVER_MISMATCH || probe.error === COMPAT_NOT_SUPPORTED) {
    return {
      kind: 'driver-mismatch',
      message: `the NVIDIA driver's kernel module and user-space library do not match (${probe.errorName}); reboot or reinstall the driver`,
    };
  }
  if (probe.error === NO_DEVICE || (probe.error === 0 && probe.deviceCount === 0)) {
    return { kind: 'no-device', message: `no CUDA device found (NVIDIA driver for CUDA ${cudaVersionString(probe.driverVersion)} is installed)` };
  }
  if (probe.error === DEVICES_UNAVAILABLE) {
    return { kind: 'busy', message: 'every CUDA device is busy or in exclusive-process mode (cudaErrorDevicesUnavailable)' };
  }
  if (probe.error !== 0) {
    return {
      kind: 'other',
      message: `the CUDA runtime cannot use the GPU: ${probe.errorName} (error ${probe.error}; driver CUDA ${cudaVersionString(probe.driverVersion)}, build CUDA ${runtime})`,
    };
  }
  return fallback ? { kind: 'other', message: fallback } : null;
}
