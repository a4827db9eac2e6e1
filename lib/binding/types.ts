// The one typed boundary between the native addon and the TypeScript API. Nothing outside
// lib/binding touches the addon except through these types.

import type { CudaProbe, CudaUnavailable } from '../runtime/cudaStatus.js';
import type { AggrBinding } from './aggrBinding.js';
import type { DiagBinding } from './diagBinding.js';
import type { DistBinding } from './distBinding.js';
import type { EdgeBinding } from './edgeBinding.js';
import type { GatBinding } from './gatBinding.js';
import type { MetisBinding } from './metisBinding.js';
import type { NormBinding } from './normBinding.js';
import type { PlanBinding } from './planBinding.js';
import type { SamplingBinding } from './samplingBinding.js';
import type { CsrHandle, Device, DType, NativeArray, TensorHandle } from './handles.js';

export type { CsrHandle, CsrInfo, Device, DType, NativeArray, TensorHandle } from './handles.js';
export type { SampledHops, SamplerHandle } from './samplingBinding.js';
export type { PlanArg, PlanHandle, PlanSpec, PlanStepSpec } from './planBinding.js';
export type { MpiInfo, NcclInfo } from './distBinding.js';
export type { MetisInfo, MetisPartition } from './metisBinding.js';

export interface DeviceMemory {
  tensors: number;
  bytes: number;
  peakBytes: number;
  /** The memory budget of live bytes (setMemoryLimit); Infinity when unlimited. */
  limit: number;
  cachedBytes?: number;
  /** CPU only: large allocations served from the reuse cache, and fresh mappings. */
  poolHits?: number;
  poolMisses?: number;
}

export interface DevicesReport {
  cpu: { available: true; threads: number; blas: string; deterministic: boolean };
  cuda: {
    compiled: boolean;
    available: boolean;
    /** Whether GEMM on the GPU goes through cuBLAS, which the addon opens at run time (libcublas.so.13 or .12). */
    cublas: boolean;
    /** The libcublas file that was loaded, when one was. */
    cublasLibrary?: string;
    /** Its version ("13.0.2"); empty when the library does not say. */
    cublasVersion?: string;
    /** Why cuBLAS is not in use (none found, FATHOM_CUBLAS=off, ...): the built-in tiled kernel runs instead. */
    cublasReason?: string;
    reason?: string;
    /** Why CUDA is unavailable, as a kind (lib/runtime/cudaStatus.ts); absent when it is available. */
    unavailable?: CudaUnavailable['kind'];
    /** What the CUDA runtime answered (error code, driver and runtime versions); absent in older builds. */
    probe?: CudaProbe;
    devices: { index: number; name: string; totalMemory: number }[];
  };
}

export interface NativeBinding extends AggrBinding, EdgeBinding, GatBinding, NormBinding, DiagBinding, SamplingBinding, PlanBinding, DistBinding, MetisBinding {
  TensorHandle: new (data: NativeArray, shape: number[], dtype: DType) => TensorHandle;
  CsrHandle: unknown;
  cudaCompiled: boolean;

  matmul(a: TensorHandle, b: TensorHandle, transA: boolean, transB: boolean): TensorHandle;
  /** `name`: the JS op this SpMM implements, named in error messages (default 'spmm'). */
  spmm(op: CsrHandle, edgeValues: TensorHandle | null, x: TensorHandle, alpha: number, selfScale: number, name?: string): TensorHandle;
  /** spmm with the self term selfBase + s, s a one-element float tensor read by the op (GIN's 1 + ε). */
  spmmSelfTensor(op: CsrHandle, x: TensorHandle, alpha: number, selfBase: number, s: TensorHandle, name: string): TensorHandle;
  propagateBiasAct(op: CsrHandle, x: TensorHandle, bias: TensorHandle | null, alpha: number, selfScale: number, relu: boolean): TensorHandle;
  propagateBiasActBackward(
    opT: CsrHandle,
    grad: TensorHandle,
    y: TensorHandle,
    alpha: number,
    selfScale: number,
    relu: boolean,
    wantX: boolean,
    wantBias: boolean,
  ): [TensorHandle | null, TensorHandle | null];
  sddmm(op: CsrHandle, a: TensorHandle, b: TensorHandle): TensorHandle;
  axpby(alpha: number, x: TensorHandle, beta: number, y: TensorHandle): TensorHandle;
  scale(x: TensorHandle, alpha: number): TensorHandle;
  addInPlace(x: TensorHandle, y: TensorHandle, alpha: number): void;
  add(x: TensorHandle, y: TensorHandle): TensorHandle;
  sub(x: TensorHandle, y: TensorHandle): TensorHandle;
  mul(x: TensorHandle, y: TensorHandle): TensorHandle;
  biasAdd(x: TensorHandle, bias: TensorHandle): TensorHandle;
  sumRows(x: TensorHandle): TensorHandle;
  relu(x: TensorHandle): TensorHandle;
  reluBackward(grad: TensorHandle, y: TensorHandle): TensorHandle;
  /** relu plus its mask packed as bits: [out, u8[(numel + 7) / 8]] (bit i % 8 of byte i / 8: x[i] > 0). */
  reluMask(x: TensorHandle): [TensorHandle, TensorHandle];
  reluBackwardMask(grad: TensorHandle, mask: TensorHandle): TensorHandle;
  dropout(x: TensorHandle, p: number, seed: number): [TensorHandle, TensorHandle];
  dropoutBackward(grad: TensorHandle, mask: TensorHandle, p: number): TensorHandle;
  logSoftmax(x: TensorHandle): TensorHandle;
  logSoftmaxBackward(grad: TensorHandle, y: TensorHandle): TensorHandle;
  nllLoss(logp: TensorHandle, labels: TensorHandle, mask: TensorHandle | null): TensorHandle;
  nllLossBackward(grad: TensorHandle, logp: TensorHandle, labels: TensorHandle, mask: TensorHandle | null): TensorHandle;
  sum(x: TensorHandle): TensorHandle;
  mean(x: TensorHandle): TensorHandle;
  argmaxRows(x: TensorHandle): TensorHandle;
  fill(shape: number[], dtype: DType, device: Device, value: number): TensorHandle;
  /** A tensor of `shape` filled with factor·s, s a one-element float tensor read by the op. */
  expandScalar(s: TensorHandle, shape: number[], factor: number): TensorHandle;
  /** factor·s·x, s a one-element float tensor read by the op. */
  scaleBy(x: TensorHandle, s: TensorHandle, factor: number): TensorHandle;
  cast(x: TensorHandle, dtype: DType): TensorHandle;
  countNonfinite(x: TensorHandle): number;
  adamStep(
    param: TensorHandle,
    grad: TensorHandle,
    m: TensorHandle,
    v: TensorHandle,
    lr: number,
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    step: number,
  ): void;
  sgdStep(
    param: TensorHandle,
    grad: TensorHandle,
    buf: TensorHandle,
    lr: number,
    momentum: number,
    dampening: number,
    weightDecay: number,
    nesterov: boolean,
    first: boolean,
  ): void;

  /** The nonzeros of a dense 2-D float tensor as a CSR with values (sparse input features). */
  csrFromDense(x: TensorHandle): CsrHandle;
  /** Dense dropout's values at a feature CSR's entries (of its transpose when `transposed`). */
  csrDropout(csr: CsrHandle, p: number, seed: number, transposed: boolean): TensorHandle;
  transpose(x: TensorHandle): TensorHandle;
  csrFromEdgeIndex(edgeIndex: TensorHandle, numNodes: number): CsrHandle;
  /** The [numTargets × numSources] CSR by target of a bipartite edgeIndex (a sampled block). */
  csrFromBipartite(edgeIndex: TensorHandle, numSources: number, numTargets: number): CsrHandle;
  csrTranspose(csr: CsrHandle): CsrHandle;
  csrOperator(csr: CsrHandle, kind: string, dtype: DType): CsrHandle;
  csrTo(csr: CsrHandle, device: Device): CsrHandle;
  /**
   * A CPU tensor (CSR) moved to CUDA without waiting: staged in page-locked memory and copied on
   * the copy stream; kernels queued afterwards wait for it on the GPU (an event). Loaders use it
   * for the next batch (lib/train/stageBatch.ts); other moves are copies as `to` / `csrTo`.
   */
  toDeviceOverlapped(tensor: TensorHandle, device: Device): TensorHandle;
  csrToOverlapped(csr: CsrHandle, device: Device): CsrHandle;
  csrDegrees(csr: CsrHandle): TensorHandle;

  memory(): { cpu: DeviceMemory; cuda: DeviceMemory };
  resetPeakMemory(): void;
  setMemoryLimit(device: Device, bytes: number): void;
  getMemoryLimit(): { cpu: number; cuda: number };
  devices(): DevicesReport;
  setNumThreads(n: number): void;
  setDeterministic(on: boolean): void;
  setErrorClass(ctor: new (message: string, code: string) => Error): void;
  emptyCache(): void;
  synchronize(): void;
}
