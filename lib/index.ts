// Fathom's public API. See README.md for a tour.
export { Tensor, type GradNode, type TensorOptions } from './tensor/Tensor.js';
export { SparseFeatures } from './tensor/SparseFeatures.js';
export type { Device, DType, NativeArray } from './tensor/dtype.js';
export { FathomError, type FathomErrorCode } from './errors/FathomError.js';
export { devices, emptyCache, memory, resetPeakMemory, resolveDevice, setDeterministic, setNumThreads } from './runtime/devices.js';
export { getMemoryLimit, setMemoryLimit, type MemoryLimit } from './runtime/memoryLimit.js';
export { synchronize } from './runtime/synchronize.js';

export { backward } from './autograd/backward.js';
export { retainGrad } from './autograd/retainGrad.js';
export { noGrad, isGradEnabled } from './autograd/gradMode.js';
export { tidy, keep } from './autograd/scope.js';
export { checkpoint } from './autograd/checkpoint.js';

export { matmul } from './functional/matmul.js';
export { add, axpby, mul, scale, sub } from './functional/arithmetic.js';
export { biasAdd } from './functional/biasAdd.js';
export { dropout } from './functional/dropout.js';
export { logSoftmax } from './functional/logSoftmax.js';
export { nllLoss } from './functional/nllLoss.js';
export { propagate } from './functional/propagate.js';
export { propagateBiasAct, type FusedActivation, type PropagateBiasActOptions } from './functional/propagateBiasAct.js';
export { relu } from './functional/relu.js';
export { reluBits } from './functional/reluBits.js';
export { reluDropout } from './functional/reluDropout.js';
export { mean, sum } from './functional/reduce.js';
export { scaleByScalar } from './functional/scaleByScalar.js';
export { ginAggregate } from './functional/ginAggregate.js';
export { edgeSoftmax } from './functional/edgeSoftmax.js';
export { propagateWeighted } from './functional/propagateWeighted.js';
export { propagateFixed } from './functional/propagateFixed.js';
export { mseLoss } from './functional/mseLoss.js';

export { AGGREGATIONS, Graph, type Aggregation, type GraphOptions } from './graph/Graph.js';
export { GraphOperator } from './graph/GraphOperator.js';
export { Block, type BlockGcnNorm, type BlockOperatorKind, type BlockOptions } from './graph/Block.js';
export { NeighborSampler, type NeighborSamplerOptions, type SampleKey } from './sampling/NeighborSampler.js';
export { NeighborLoader, neighborLoader, type NeighborLoaderOptions } from './sampling/neighborLoader.js';
export { SampledBatch } from './sampling/SampledBatch.js';
export { PartitionLoader, partitionLoader, type PartitionLoaderOptions, type PartitionMethod } from './sampling/partitionLoader.js';
export { metisStatus } from './sampling/metisParts.js';
export { PartitionBatch } from './sampling/PartitionBatch.js';
export {
  abortDistributed,
  allReduce,
  type AllReduceOptions,
  barrier,
  broadcast,
  DistributedFeatures,
  type DistributedWorld,
  type FeaturePartitionMethod,
  initDistributed,
  type LocalFeatureShard,
  mpiStatus,
  partitionBook,
  partitionFeatures,
  type PartitionFeaturesOptions,
  rank,
  shareOf,
  worldSize,
} from './distributed/index.js';
export { inducedSubgraph } from './sampling/inducedSubgraph.js';
export { oneHopNeighborhood } from './sampling/oneHopNeighborhood.js';
export { layerwiseInference, type LayerwiseOptions } from './train/layerwiseInference.js';

export { Module } from './nn/Module.js';
export { Parameter } from './nn/Parameter.js';
export { Linear } from './nn/Linear.js';
export { GCNConv, type GCNConvForwardOptions, type GCNConvOptions } from './nn/GCNConv.js';
export type { LayerOptions } from './nn/layerOptions.js';

export { glorotUniform } from './init/glorot.js';
export { kaimingUniform } from './init/kaimingUniform.js';

export { NodeModel, type LayerFeatures } from './models/NodeModel.js';
export type { NodeSelection, Predictions } from './models/predict.js';
export { GCN, type GCNOptions } from './models/GCN.js';
export { GAT, type GATOptions } from './models/GAT.js';
export { GATConv, GATv2Conv, type GATConvOptions } from './nn/GATConv.js';
export { gatAttention, type GatAttentionOptions } from './functional/gatAttention.js';
export { softmaxAggregate, type SoftmaxAggregateOptions } from './functional/softmaxAggregate.js';
export { powerAggregate, type PowerAggregateOptions } from './functional/powerAggregate.js';
export { balancedInit, type BalancedOptions, type GatLayerValues } from './init/balanced.js';
export { gatBalance, type GatBalanceReport } from './models/gatBalance.js';
export { orthogonal } from './init/orthogonal.js';
export { looksLinear, type LooksLinearPosition } from './init/looksLinear.js';
export * as models from './models/builders.js';
export { SKPConv, SKP_TERMS, type SKPConvOptions, type SKPTerm } from './nn/SKPConv.js';
export { SKP, type SKPOptions } from './models/SKP.js';
export { MLP, type MLPOptions } from './nn/MLP.js';
export { GINConv, type GINConvOptions, type NodeFunction } from './nn/GINConv.js';
export { GIN, type GINOptions } from './models/GIN.js';
export { GraphSAGE, type GraphSAGEOptions } from './models/GraphSAGE.js';
export { SAGEConv, type SAGEConvOptions } from './nn/SAGEConv.js';
export { GENConv, type GENConvOptions, type GENConvForwardOptions } from './nn/GENConv.js';
export { GENBranch, type GENBranchOptions, type GENBranchForwardOptions } from './nn/GENBranch.js';
export { DeeperGCN, type DeeperGCNOptions } from './models/DeeperGCN.js';
export { GraphConv, dense, type NodeFeatures } from './nn/GraphConv.js';
export { MODELS, buildModel, modelEntry, validateModelSpec } from './models/registry.js';
export type { ModelEntry, ModelFlag, ModelSpec, ModelIO, TrainingDefaults } from './models/modelEntry.js';
export { LinearGNN, type LinearGNNOptions } from './models/LinearGNN.js';
export { ResGCN, type ResGCNOptions, type ResidualMode, type ResGCNInit } from './models/ResGCN.js';
export { ResidualBlock, type ResidualBlockOptions, type ResidualKind } from './nn/ResidualBlock.js';
export { ReversibleStack, type ReversibleBranch, type ReversibleForwardOptions, type ReversibleStackOptions } from './nn/ReversibleStack.js';
export { PairNorm } from './nn/PairNorm.js';
export { LayerNorm, type LayerNormModuleOptions } from './nn/LayerNorm.js';
export { BatchNorm, type BatchNormModuleOptions } from './nn/BatchNorm.js';
export { GCN2Conv, type GCN2ConvForwardOptions, type GCN2ConvOptions } from './nn/GCN2Conv.js';
export { APPNP, type APPNPOptions } from './nn/APPNP.js';
export { GCNII, type GCNIIOptions } from './models/GCNII.js';
export { APPNPNet, type APPNPNetOptions } from './models/APPNPNet.js';
export { LipschitzWeight } from './nn/LipschitzWeight.js';
export { pairNorm, type PairNormOptions } from './functional/pairNorm.js';
export { layerNorm, type LayerNormOptions } from './functional/layerNorm.js';
export { batchNorm, type BatchNormOptions } from './functional/batchNorm.js';
export { spectralNormalize } from './functional/spectralNormalize.js';
export { gcnBranch, type GcnBranchOptions } from './functional/gcnBranch.js';
export { gnnHe } from './init/gnnHe.js';
export { fixupScale } from './init/fixup.js';
export { featureStats, type FeatureStats } from './diagnostics/featureStats.js';
export { rankDiagnostics, symmetricEigen, type RankReport } from './diagnostics/rank.js';
export { linearRate, type LinearRate } from './diagnostics/linearRate.js';
export { featureMoments, type FeatureMoments } from './diagnostics/featureMoments.js';
export { momentStats, type MomentStats } from './diagnostics/momentStats.js';
export { gramSpectrum } from './diagnostics/gramSpectrum.js';
export { symmetricEigenvalues } from './diagnostics/symmetricEigenvalues.js';
export { overCorrelation } from './diagnostics/overCorrelation.js';
export { dirichletEnergy, type DirichletEnergy } from './diagnostics/dirichletEnergy.js';
export { frobeniusNorm } from './diagnostics/frobeniusNorm.js';
export { DIAGNOSTIC_METRICS, resolveMetrics, type DiagnosticMetric, type LayerDiagnostics } from './diagnostics/metrics.js';
export { DiagnosticsRecorder } from './diagnostics/DiagnosticsRecorder.js';
export { diagnoseModel, type DiagnoseOptions } from './diagnostics/diagnoseModel.js';

export { Optimizer } from './optim/Optimizer.js';
export { Adam, type AdamOptions } from './optim/Adam.js';
export { SGD, type SGDOptions } from './optim/SGD.js';

export { fit, evaluate, type CompileOptions, type DiagnosticsRecord, type EpochReport, type FitMetric, type FitOptions, type FitResult } from './train/fit.js';
export type { BackwardPass, Callback, EpochDecision, FitContext, StepRequest, StepResult, StopReason } from './train/callbacks/Callback.js';
export { EarlyStopping, type EarlyStoppingOptions } from './train/callbacks/EarlyStopping.js';
export { Checkpointing, type CheckpointingOptions, type CheckpointWrite } from './train/callbacks/Checkpointing.js';
export { DiagnosticsRecording, type DiagnosticsRecordingOptions } from './train/callbacks/DiagnosticsRecording.js';
export { FiniteCheck, type FiniteCheckOptions } from './train/callbacks/FiniteCheck.js';
export { ProgressCallback, type EpochListener } from './train/callbacks/ProgressCallback.js';
export { LrScheduler, type LrSchedulerState } from './train/callbacks/LrScheduler.js';
export { RestoreBest, type RestoreBestOptions } from './train/callbacks/RestoreBest.js';
export type { CosineSchedule, LrSchedule, PlateauSchedule, StepSchedule } from './optim/lrSchedules.js';
export { GatBalanceTracker, type GatBalancePoint, type GatBalanceTrackerOptions } from './train/callbacks/GatBalanceTracker.js';
export { NodeData } from './data/NodeData.js';
export { accuracy } from './train/accuracy.js';
export { rocAuc } from './train/rocAuc.js';
export { argmax } from './train/argmax.js';

export * as datasets from './data/index.js';
export { Rng, type RngState } from './random/rng.js';

export { encodeCheckpoint, saveCheckpoint, type CheckpointContents } from './checkpoint/saveCheckpoint.js';
export { loadCheckpoint, loadModel, type LoadedCheckpoint } from './checkpoint/loadCheckpoint.js';
export { restoreCheckpoint } from './checkpoint/restoreCheckpoint.js';
export { loadStateDict, saveStateDict } from './checkpoint/stateDictFile.js';
export type { LoadStateDictResult, StateDict } from './nn/stateDict.js';
export { CheckpointDir } from './checkpoint/CheckpointDir.js';
export type { CheckpointableModel, CheckpointInfo } from './checkpoint/checkpointFormat.js';
export { findNonFinite } from './checkpoint/findNonFinite.js';
export { readSafetensors } from './io/readSafetensors.js';
export { writeSafetensors } from './io/writeSafetensors.js';
export { decodeSafetensors } from './io/decodeSafetensors.js';
export { encodeSafetensors, type StTensorInput } from './io/encodeSafetensors.js';
export type { StFile, StTensor, StDType } from './io/safetensorsFormat.js';
export { atomicWriteFile } from './io/atomicWriteFile.js';
export type { OptimizerState } from './optim/Optimizer.js';
export { parseSweepConfig, type SweepConfig, type SweepMethod } from './experiments/sweepConfig.js';
export { runSweep, type SweepHooks, type SweepOutcome } from './experiments/runSweep.js';
export { readCells, type CellRecord, type DiagnosticsSnapshot, type LayerRow } from './experiments/cellRecord.js';
export type { CellParams, SweepCell } from './experiments/sweepCells.js';
export { buildReport, type ReportOutcome } from './report/buildReport.js';
