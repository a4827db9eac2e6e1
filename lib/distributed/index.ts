// Data-parallel training over MPI: the runtime, the collectives, and fit()'s side of it.
export { type AllReduceOptions, allReduce, barrier, broadcast } from './collectives.js';
export { abortDistributed, type DistributedWorld, initDistributed, mpiStatus, rank, worldSize } from './runtime.js';
export { shareOf } from './shareOf.js';
