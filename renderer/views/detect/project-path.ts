/**
 * A path typed into the Detect view ("path inside a project"): absolute as given, or relative to
 * the open project's folder (the host only serves files inside opened projects, and would refuse
 * a bare relative path). Pure.
 */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\\\') || /^[A-Za-z]:[\\/]/.test(p);
}

/** The absolute path, or an error message saying what to type instead. */
export function resolveProjectPath(input: string, projectRoot: string | null): { path: string } | { error: string } {
  const p = input.trim();
  if (!p) return { error: 'type a path first' };
  if (isAbsolutePath(p)) return { path: p };
  if (!projectRoot) return { error: `“${p}” is relative: open a project first (relative paths start at its folder) or give the full path` };
  const root = projectRoot.replace(/[\\/]+$/, '');
  const sep = root.includes('\\') && !root.includes('/') ? '\\' : '/';
  return { path: `${root}${sep}${p.replace(/^\.[\\/]/, '')}` };
}

/** Why a project file URL failed to load, from the host's answer (e.g. 403 "outside the opened projects"). */
export async function explainLoadFailure(url: string, what: string): Promise<string> {
  try {
    const res = await fetch(url, { headers: { Range: 'bytes=0-0' } });
    if (res.ok) return `${what} was found but cannot be decoded by this browser (try WebM, or MP4 with H.264)`;
    const text = (await res.text()).trim().slice(0, 300);
    return `cannot open ${what}: ${text || `HTTP ${res.status}`}`;
  } catch (err) {
    return `cannot open ${what}: ${err instanceof Error ? err.message : String(err)}`;
  }
}
