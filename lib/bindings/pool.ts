// Raw signatures of the native pool group (native/binding/pool.cc). Only lib/native.ts and the ops
// that wrap these functions use them; arguments are validated in TypeScript before the call.
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PoolBindings {}
