// Native functions of the edge op family (native/napi/edge_binding.cc).
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface EdgeBinding {}
