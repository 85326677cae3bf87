/** Contract of one `detecta` sub-command module. */
export interface CliCommand {
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  run(argv: string[]): Promise<number>;
}
