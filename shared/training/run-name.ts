// What a run's name may be: it names the folder PROJECT/.detecta/runs/<name>, so letters, digits,
// '.', '_' and '-' only, never starting with '.' (no hidden folders, no '..'). The API schemas,
// the run folder and the Train view's form all check this one rule.
import { z } from 'zod';

export const RUN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** The rule in words, for error messages. */
export const RUN_NAME_RULE = 'letters, digits, . _ - only, not starting with .';

/** A run name in API parameters. */
export const runNameSchema = z.string().min(1).max(200).regex(RUN_NAME, `run names use ${RUN_NAME_RULE}`);
