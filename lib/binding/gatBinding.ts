// Native functions of the gat op family (native/napi/gat_binding.cc).
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface GatBinding {}
