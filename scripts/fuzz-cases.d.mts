// Types of fuzz-cases.js for the TypeScript test that imports it.
export declare function prng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T };
export declare function datasetFuzzer(deps: {
  loadDataset: (path: string, options?: object) => unknown;
  DatasetError: abstract new (...args: never[]) => Error;
  sourceDir: string;
  workDir: string;
}): (caseSeed: number) => string;
export declare function safetensorsFuzzer(deps: {
  decodeSafetensors: (buf: Uint8Array, source?: string) => unknown;
  encodeSafetensors: (
    tensors: Record<string, { data: Float32Array | Float64Array | Int32Array | Uint8Array; shape: readonly number[] }>,
    metadata?: Record<string, string>,
  ) => Buffer;
  FathomError: abstract new (...args: never[]) => Error;
}): (caseSeed: number) => string;
