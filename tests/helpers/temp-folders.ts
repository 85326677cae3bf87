/**
 * The temporary folders a test file makes. Push each folder it creates (or use `make`); all are
 * removed after the file's tests, whatever their outcome.
 */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempFolders {
  /** Registers a folder (made some other way) for removal; returns it. */
  push(folder: string): string;
  /** Makes a fresh folder under the system's temp folder, named with `prefix`, and registers it. */
  make(prefix: string): string;
}

export function tempFolders(): TempFolders {
  const folders: string[] = [];
  after(() => { for (const f of folders) rmSync(f, { recursive: true, force: true }); });
  const push = (folder: string): string => { folders.push(folder); return folder; };
  return { push, make: (prefix) => push(mkdtempSync(join(tmpdir(), prefix))) };
}
