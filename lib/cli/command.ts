// The shape of one `faltung` subcommand: its name, one-line description, --help text and runner.
// Commands write results to stdout; errors are thrown and printed by main.ts, never here.

export interface Command {
  readonly name: string;
  /** One line for `faltung --help`. */
  readonly description: string;
  /** The full text of `faltung <name> --help`. */
  readonly help: string;
  /** Runs with the arguments after the command name. */
  run(argv: string[]): Promise<void>;
}

/** `--help` anywhere before a `--` asks for help, whatever else is on the line. */
export function wantsHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}
