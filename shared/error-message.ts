/** The text of anything thrown: an Error's message, or the value itself as a string. */
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
