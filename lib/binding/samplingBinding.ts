// Native neighbour sampling (native/napi/sampler_binding.cc).

/** One batch's sampled hops (native/graph/neighbor_sampler.h). */
export interface SampledHops {
  /** Global node ids in order of discovery: the seeds, then each hop's new nodes. */
  nodes: Int32Array;
  /** New nodes per hop; [0] is the number of seeds (L + 1 entries). */
  numSampledNodes: number[];
  /** Per sampling step k: flat [2, E_k] (local source ids, then local target ids in hop k). */
  edges: Int32Array[];
}

/** A validated adjacency with fanouts, sampled from any thread. */
export interface SamplerHandle {
  readonly disposed: boolean;
  dispose(): void;
  /** Samples on the calling thread; seeds distinct and in range, seed and batch integers ≥ 0. */
  sample(seeds: Int32Array, seed: number, batch: number): SampledHops;
  /** The same draws on a libuv worker thread; arguments are checked before it is queued. */
  sampleAsync(seeds: Int32Array, seed: number, batch: number): Promise<SampledHops>;
}

export interface SamplingBinding {
  SamplerHandle: unknown;
  /** CSR by target (row i: in-neighbours of i), per-layer fanouts (-1 = all), with or without replacement. */
  neighborSampler(rowptr: Int32Array, col: Int32Array, fanouts: number[], replace: boolean): SamplerHandle;
}
