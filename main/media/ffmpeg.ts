/**
 * Where the system's ffmpeg tools are: DETECTA_FFMPEG when set (ffprobe is looked for beside it,
 * then on PATH), else the first one on PATH. Used by `detecta predict` on videos and by taking a
 * video's frames into a project; each caller says what it needs the tool for when it is missing.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export const FFMPEG_INSTALL_HINT = 'install ffmpeg (apt-get install ffmpeg, brew install ffmpeg, winget install ffmpeg) and put it on PATH, or set DETECTA_FFMPEG to its path';

/** The path of `name` (ffmpeg or ffprobe), or null when there is none (or DETECTA_FFMPEG names a missing file). */
export function findVideoTool(name: 'ffmpeg' | 'ffprobe', env: NodeJS.ProcessEnv = process.env): string | null {
  const exe = process.platform === 'win32' ? '.exe' : '';
  const onPath = (tool: string): string | null => {
    for (const dir of (env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, tool + exe))) return join(dir, tool + exe);
    return null;
  };
  const forced = env.DETECTA_FFMPEG;
  if (forced && !existsSync(forced)) return null;
  const ffmpeg = forced || onPath('ffmpeg');
  if (name === 'ffmpeg') return ffmpeg;
  const beside = ffmpeg ? join(dirname(ffmpeg), `ffprobe${exe}`) : null;
  return beside && existsSync(beside) ? beside : onPath('ffprobe');
}
