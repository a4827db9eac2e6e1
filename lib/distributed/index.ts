// Data-parallel training over MPI: the runtime, the collectives, partitioned features, and fit()'s side of it.
export { type AllReduceOptions, allReduce, barrier, broadcast } from './collectives.js';
export { abortDistributed, type DistributedWorld, initDistributed, mpiStatus, rank, worldSize } from './runtime.js';
export { DistributedFeatures, type LocalFeatureShard } from './DistributedFeatures.js';
export { type FeaturePartitionMethod, partitionBook } from './partitionBook.js';
export { type PartitionFeaturesOptions, partitionFeatures } from './partitionFeatures.js';
export { shareOf } from './shareOf.js';
