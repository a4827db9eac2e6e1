// Native functions of the norm op family (native/napi/norm_binding.cc).
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface NormBinding {}
