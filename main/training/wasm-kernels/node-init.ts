/**
 * Node-only helper: points the tfjs wasm backend at the .wasm binaries shipped in
 * node_modules/@tensorflow/tfjs-backend-wasm/dist/ and makes 'wasm' the active backend.
 *
 * Kept apart from index.ts (which must stay browser-safe) because it imports node:module / node:path.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';

/** Absolute folder (ending in the path separator) holding tfjs-backend-wasm*.wasm. */
export function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  // The package's "main" is dist/tf-backend-wasm.node.js, so its folder is the dist folder.
  const main = require.resolve('@tensorflow/tfjs-backend-wasm');
  return dirname(main) + sep;
}

/**
 * Loads the wasm backend from node_modules and activates it.
 * Returns false (and leaves the previous backend active) when the backend fails to initialise;
 * the reason is available from tf's own warning output.
 */
export async function initWasmBackendForNode(): Promise<boolean> {
  setWasmPaths(wasmDistFolder());
  return tf.setBackend('wasm');
}
