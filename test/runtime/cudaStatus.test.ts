// The reasons CUDA is unavailable, from what the CUDA runtime answered: each cudaError_t case by
// hand, since a machine has only one of these states at a time.
import { describe, expect, it } from 'vitest';

import { type CudaProbe, cudaUnavailable, cudaVersionString } from '../../lib/runtime/cudaStatus.js';
import { devices } from '../../lib/runtime/devices.js';

const probe = (p: Partial<CudaProbe>): CudaProbe => ({ error: 0, errorName: '', driverVersion: 13000, runtimeVersion: 13000, deviceCount: 1, ...p });

describe('cudaUnavailable', () => {
  it('says CUDA is not compiled in for a CPU-only build, whatever the probe says', () => {
    const r = cudaUnavailable(false, probe({ error: 35, driverVersion: 0 }));
    expect(r?.kind).toBe('not-compiled');
    expect(r?.message).toMatch(/^CUDA not compiled in/);
    expect(r?.message).toContain('FATHOM_BUILD_FROM_SOURCE=1');
  });

  it('says no driver was found when the static runtime reports an insufficient driver of version 0', () => {
    const r = cudaUnavailable(true, probe({ error: 35, errorName: 'cudaErrorInsufficientDriver', driverVersion: 0, deviceCount: 0 }));
    expect(r?.kind).toBe('no-driver');
    expect(r?.message).toMatch(/^no NVIDIA driver found/);
    expect(r?.message).not.toMatch(/insufficient|version/i);
  });

  it('says no driver was found when only the toolkit stub libcuda is on the library path', () => {
    const r = cudaUnavailable(true, probe({ error: 34, errorName: 'cudaErrorStubLibrary', driverVersion: 0, deviceCount: 0 }));
    expect(r?.kind).toBe('no-driver');
    expect(r?.message).toContain('stub');
  });

  it('names both CUDA versions when the driver is older than the build', () => {
    const r = cudaUnavailable(
      true,
      probe({ error: 35, errorName: 'cudaErrorInsufficientDriver', driverVersion: 12020, runtimeVersion: 13000, deviceCount: 0 }),
    );
    expect(r?.kind).toBe('driver-too-old');
    expect(r?.message).toContain('supports CUDA 12.2');
    expect(r?.message).toContain('needs CUDA 13.0');
  });

  it('says no device was found when a driver answers with none', () => {
    expect(cudaUnavailable(true, probe({ error: 100, errorName: 'cudaErrorNoDevice', deviceCount: 0 }))?.kind).toBe('no-device');
    const none = cudaUnavailable(true, probe({ error: 0, deviceCount: 0, driverVersion: 12080 }));
    expect(none?.kind).toBe('no-device');
    expect(none?.message).toContain('CUDA 12.8');
  });

  it('tells a kernel-module mismatch and busy devices apart, and names any other error', () => {
    expect(cudaUnavailable(true, probe({ error: 803, errorName: 'cudaErrorSystemDriverMismatch', deviceCount: 0 }))?.kind).toBe('driver-mismatch');
    expect(cudaUnavailable(true, probe({ error: 46, errorName: 'cudaErrorDevicesUnavailable', deviceCount: 0 }))?.kind).toBe('busy');
    const other = cudaUnavailable(true, probe({ error: 999, errorName: 'cudaErrorUnknown', deviceCount: 0 }));
    expect(other?.kind).toBe('other');
    expect(other?.message).toContain('cudaErrorUnknown (error 999');
  });

  it('returns null for a usable probe, or the native reason when there is one (an old GPU)', () => {
    expect(cudaUnavailable(true, probe({}))).toBeNull();
    expect(cudaUnavailable(true, probe({}), 'GPU 0 has compute capability 6.1')).toEqual({ kind: 'other', message: 'GPU 0 has compute capability 6.1' });
    expect(cudaUnavailable(true, undefined, 'older build')).toEqual({ kind: 'other', message: 'older build' });
  });

  it('writes CUDA versions as major.minor', () => {
    expect(cudaVersionString(13000)).toBe('13.0');
    expect(cudaVersionString(12020)).toBe('12.2');
    expect(cudaVersionString(11080)).toBe('11.8');
  });
});

describe('devices() on this machine', () => {
  const { cuda } = devices();

  it.runIf(!cuda.available && !cuda.compiled)('says CUDA is not compiled in, in a CPU-only build', () => {
    expect(cuda.unavailable).toBe('not-compiled');
    expect(cuda.reason).toMatch(/^CUDA not compiled in/);
  });

  it.runIf(!cuda.available && cuda.compiled && cuda.probe?.driverVersion === 0)('says no driver was found where none is installed, not a version error', () => {
    expect(cuda.probe?.runtimeVersion).toBeGreaterThan(0);
    expect(cuda.unavailable).toBe('no-driver');
    expect(cuda.reason).toMatch(/^no NVIDIA driver found/);
    expect(cuda.reason).not.toMatch(/insufficient/i);
  });

  it.runIf(cuda.available)('reports the driver and runtime versions of a working GPU', () => {
    expect(cuda.probe?.error).toBe(0);
    expect(cuda.probe?.driverVersion).toBeGreaterThan(0);
    expect(cuda.probe?.runtimeVersion).toBeGreaterThan(0);
  });
});
