/**
 * The per-layer metrics of docs/methods.md §4, by the names rows, sweeps and reports use.
 * Model-specific ones (gatBalance*, for GAT; kappa and lossStar, for LinearGNN) are left out of
 * the rows of other models.
 */
export const DIAGNOSTIC_METRICS = [
  'featureScale',
  'featureMu',
  'featureMuNormalized',
  'meanCosine',
  'dirichlet',
  'dirichletNormalized',
  'overCorrelation',
  'numericalRank',
  'effectiveRank',
  'sigmaRatio',
  'gradFeatureNorm',
  'gradFeatureMu',
  'gradFeatureMuNormalized',
  'gradWeightNorm',
  'relativeChange',
  'gatBalanceMax',
  'gatBalanceMean',
  'gatBalanceDrift',
  'kappa',
  'lossStar',
] as const;

export type DiagnosticMetric = (typeof DIAGNOSTIC_METRICS)[number];

/**
 * One layer's diagnostics: `layer` (0-based, in forwardFeatures() order) and every requested
 * metric that applies to the model.
 *
 * - featureScale ‖Z‖²_F/(N·n); featureMu μ(Z) = ‖Z − 1·meanᵀ‖_F; featureMuNormalized μ(Z)/‖Z‖_F;
 *   meanCosine of the rows; dirichlet E(Z) (gcn operator with self loops) and
 *   dirichletNormalized E(Z/‖Z‖_F); overCorrelation, mean |Pearson| over channel pairs;
 *   numericalRank, effectiveRank, sigmaRatio σ₂/σ₁ of Z.
 * - gradFeatureNorm ‖∂L/∂Z‖_F, gradFeatureMu μ(∂L/∂Z), gradFeatureMuNormalized μ/‖∂L/∂Z‖_F;
 *   gradWeightNorm ‖∂L/∂θ^l‖_F over the layer's parameters.
 * - relativeChange ‖θ^l_t − θ^l_0‖/‖θ^l_0‖ against the reference weights (the start of training).
 * - gatBalanceMax / gatBalanceMean: max and mean |c_i^l| (layers 0..L−2 of a GAT);
 *   gatBalanceDrift: max |c_i^l(t) − c_i^l(0)|.
 * - kappa (κ = 4λσ²) and lossStar (L*) of a LinearGNN: model-level, repeated on every row; the
 *   bound is L* + (L_0 − L*)·exp(−κ·η·t).
 */
export type LayerDiagnostics = { layer: number } & { [K in DiagnosticMetric]?: number };

/** Metrics that need the n×n Gram of the features (the O(N·n²) part of a recording). */
export const GRAM_METRICS: readonly DiagnosticMetric[] = ['overCorrelation', 'numericalRank', 'effectiveRank', 'sigmaRatio'];

/**
 * Checks a metric list (default: all), naming `op` and `arg` in the error.
 *
 * @example
 * const wanted = resolveMetrics('fit', 'diagnostics.metrics', ['featureScale', 'meanCosine']);
 */
export function resolveMetrics(op: string, arg: string, metrics: readonly string[] | undefined): Set<DiagnosticMetric> {
  if (metrics === undefined) return new Set(DIAGNOSTIC_METRICS);
  if (!Array.isArray(metrics))
    throw new TypeError(`${op}: argument ${arg} must be an array of metric names, got ${metrics === null ? 'null' : typeof metrics}`);
  for (const m of metrics) {
    if (!DIAGNOSTIC_METRICS.includes(m as DiagnosticMetric)) {
      throw new RangeError(`${op}: argument ${arg} has unknown metric '${String(m)}'; known: ${DIAGNOSTIC_METRICS.join(', ')}`);
    }
  }
  return new Set(metrics as DiagnosticMetric[]);
}
