/** Invalid input to a metric function; the message names the offending item. */
export class MetricsInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricsInputError';
  }
}
