/**
 * Looks up installed npm packages (optional ones, such as the native TensorFlow backends, may be
 * absent) without loading them.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Path of the package's package.json, or null when the package is not installed. */
export function packageJsonPath(name: string): string | null {
  try {
    return require.resolve(`${name}/package.json`);
  } catch {
    return null; // not installed: callers report it as such
  }
}

/** The installed version of a package, or null when it is not installed. */
export function installedVersion(name: string): string | null {
  const file = packageJsonPath(name);
  return file === null ? null : (require(file) as { version: string }).version;
}
