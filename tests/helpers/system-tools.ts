/**
 * System programs some tests need besides Node (README, "Set-up"): Chromium for the e2e tests,
 * ffmpeg/ffprobe for the video tests, chattr for the read-only-file test when run as root.
 * `requireTool` returns the program's path, or throws an error that names the program, why the
 * test needs it and how to install it, instead of an obscure ENOENT deep inside a test.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export type Tool = 'chromium' | 'ffmpeg' | 'ffprobe' | 'chattr';

const HOW: Record<Tool, { why: string; install: string; env?: string }> = {
  chromium: { why: 'the e2e tests drive the app in Chromium', install: 'apt-get install chromium (Debian/Ubuntu); elsewhere install Chrome or Chromium and set CHROMIUM_PATH', env: 'CHROMIUM_PATH' },
  ffmpeg: { why: 'the video tests make and convert clips with ffmpeg', install: 'apt-get install ffmpeg (Debian/Ubuntu), brew install ffmpeg (macOS), winget install ffmpeg (Windows); or set DETECTA_FFMPEG', env: 'DETECTA_FFMPEG' },
  ffprobe: { why: 'the video tests check written videos with ffprobe (it comes with ffmpeg)', install: 'apt-get install ffmpeg (Debian/Ubuntu), brew install ffmpeg (macOS)' },
  chattr: { why: 'run as root, the save-error test makes a file immutable with chattr', install: 'apt-get install e2fsprogs' },
};

const DEFAULTS: Partial<Record<Tool, string>> = { chromium: '/usr/bin/chromium' };

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the tool is (its variable, the default path, or PATH), or null. */
export function findTool(tool: Tool, env: NodeJS.ProcessEnv = process.env): string | null {
  const forced = HOW[tool].env ? env[HOW[tool].env!] : undefined;
  if (forced) return executable(forced) ? forced : null;
  const def = DEFAULTS[tool];
  if (def && executable(def)) return def;
  for (const dir of (env.PATH ?? '').split(delimiter).filter((d) => d && isAbsolute(d))) {
    for (const ext of process.platform === 'win32' ? ['.exe', '.cmd', ''] : ['']) {
      const p = join(dir, tool + ext);
      if (executable(p)) return p;
    }
  }
  return null;
}

/** Why a missing tool is needed and how to install it (one line). */
export function missingToolMessage(tool: Tool, env: NodeJS.ProcessEnv = process.env): string {
  const h = HOW[tool];
  const forced = h.env ? env[h.env] : undefined;
  const where = forced ? `${h.env}=${forced} is not an executable` : `no ${tool} was found${DEFAULTS[tool] ? ` at ${DEFAULTS[tool]} or` : ''} on PATH`;
  return `${where}; ${h.why}. Install it: ${h.install}.`;
}

/** The tool's path; throws the missing-tool message when it is not installed. */
export function requireTool(tool: Tool): string {
  const p = findTool(tool);
  if (!p) throw new Error(missingToolMessage(tool));
  return p;
}
