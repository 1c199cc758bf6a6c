// The few WebAssembly JS API members the vector kernels use, typed locally
// (the project's lib settings carry no WebAssembly declarations, and an
// ambient one could clash with a dependency's), and their shared plumbing:
// compiling a module once per process and growing a kernel's memory.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
export interface WasmModule { readonly __wasmModule?: never }
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

export interface CompiledWasm {
  api: WasmApi;
  module: WasmModule;
}

export const WASM_PAGE = 65536;

/**
 * A function that compiles `build()`'s module on first call and returns it
 * (or null where WebAssembly or its SIMD is unavailable) ever after.
 */
export function compiledOnce(build: () => Uint8Array): () => CompiledWasm | null {
  let compiled: CompiledWasm | null | undefined;
  return () => {
    if (compiled !== undefined) return compiled;
    compiled = null;
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!api) return null;
    try {
      const bytes = build();
      if (api.validate(bytes)) compiled = { api, module: new api.Module(bytes) };
    } catch {
      compiled = null;
    }
    return compiled;
  };
}

/** A fresh memory of at least `bytes`, and the module's exports instantiated on it. */
export function instantiate({ api, module }: CompiledWasm, bytes: number): { memory: WasmMemory; exports: Record<string, unknown> } {
  const memory = new api.Memory({ initial: Math.max(1, Math.ceil(bytes / WASM_PAGE)) });
  const instance = new api.Instance(module, { env: { memory } });
  return { memory, exports: instance.exports };
}

/** Grow `memory` to hold at least `bytes`; `what` names the store in the error. */
export function growTo(memory: WasmMemory, bytes: number, what: string): void {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return;
  try {
    memory.grow(Math.ceil((bytes - have) / WASM_PAGE));
  } catch (err) {
    throw new RangeError(`${what} cannot grow to ${bytes} bytes: ${(err as Error).message}`);
  }
}
