/** A detection or ground-truth file could not be read; the message names the file (and line). */
export class FormatError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, reason: string, line?: number) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
    this.name = 'FormatError';
    this.file = file;
    this.line = line;
  }
}
