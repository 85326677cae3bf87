/**
 * The one way a project's own JSON files (.detecta/project.json, videos/*.json, review.json) are
 * read: the text, JSON.parse, then the file's zod schema. Absent is null; anything else that does
 * not fit is an ApiError 'unreadable' naming the file and every problem, then `hint` (what the
 * user can do). The file is never touched.
 */
import type { z } from 'zod';
import { ApiError } from '../../shared/api/contract';
import { errorMessage } from '../../shared/error-message';
import { readTextIfExists } from './atomic-write';

export async function readJsonFile<S extends z.ZodType>(file: string, schema: S, hint: string): Promise<z.output<S> | null> {
  const text = await readTextIfExists(file);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ApiError('unreadable', `${file}: not valid JSON (${errorMessage(err)}); ${hint}`, { file });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ApiError('unreadable', `${file}: ${issues}; ${hint}`, { file, issues: parsed.error.issues });
  }
  return parsed.data;
}
