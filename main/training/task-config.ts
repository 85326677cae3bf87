/**
 * The config side of a task adapter (engine.ts) whose config.json keeps its run config as `train`:
 * a new run's config parsed by the task's zod schema (one message naming every bad field), a
 * stored run's config, and a new epoch total for "--more N" / --epochs on resume.
 */
import type { z } from 'zod';
import type { RunConfig } from '../../shared/training/run-files';

export function formatZodError(what: string, error: z.ZodError): Error {
  return new Error(`${what}: ${error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ')}`);
}

export function configFields<C extends { epochs: number }>(schema: z.ZodType<C>, what: string) {
  return {
    parseConfig(input: unknown): C {
      const parsed = schema.safeParse(input);
      if (!parsed.success) throw formatZodError(what, parsed.error);
      return parsed.data;
    },
    configOf: (stored: RunConfig): C => stored.train as unknown as C,
    withEpochs: (config: C, stored: RunConfig, epochs: number): { config: C; stored: RunConfig } =>
      ({ config: { ...config, epochs }, stored: { ...stored, train: { ...config, epochs } } as unknown as RunConfig }),
  };
}
