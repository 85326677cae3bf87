/** A run config's zod errors as one message naming every field: "invalid training config: epochs: ...; lr: ...". */
import type { z } from 'zod';

export function formatZodError(what: string, error: z.ZodError): Error {
  return new Error(`${what}: ${error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`);
}
