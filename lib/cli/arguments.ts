// Command-line argument parsing for the `faltung` commands: node:util's parseArgs in strict mode,
// its errors reworded into one short line, and typed readers for option values. Every bad argument
// is a UsageError (exit code 2). No defaults here: each command owns its own.
import { parseArgs } from 'node:util';
import { invalidRange } from '../validate';

/** Wrong usage (unknown flag, missing or bad value): exit code 2, with a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string, readonly command: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
}

/** Rewords parseArgs' multi-sentence errors (ERR_PARSE_ARGS_*) into one line naming the flag. */
function reword(error: unknown, command: string): Error {
  const { code, message } = error as { code?: string; message: string };
  const flag = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(`unknown option '${flag}' for 'faltung ${command}'`, command);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (message.includes('ambiguous')) return new UsageError(`option '${flag}' needs a value; write ${flag}=<value> for values starting with '-'`, command);
      if (message.includes('does not take an argument')) return new UsageError(`option '${flag}' takes no value`, command);
      return new UsageError(`missing value for option '${flag}'`, command);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument ${/'[^']*'/.exec(message)?.[0] ?? ''} for 'faltung ${command}'`, command);
    default:
      return error as Error;
  }
}

/** The parsed arguments of one command, with readers that check each option's value. */
export class CommandLine {
  private constructor(
    readonly command: string,
    private readonly values: Record<string, string | boolean | undefined>,
    readonly positionals: string[],
  ) {}

  /** Parses `argv` (the arguments after the command name) against `options`. */
  static parse(command: string, argv: string[], options: Record<string, OptionSpec>, allowPositionals: boolean): CommandLine {
    try {
      const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals });
      return new CommandLine(command, values as Record<string, string | boolean | undefined>, positionals);
    } catch (error) {
      throw reword(error, command);
    }
  }

  private bad(name: string, expected: string, raw: unknown): UsageError {
    return new UsageError(invalidRange(`--${name}`, expected, raw).message, this.command);
  }

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** A decimal integer in [min, max], or `fallback` when absent. */
  integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.values[name];
    if (raw === undefined) return fallback;
    const parsed = typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw this.bad(name, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`, raw);
    }
    return parsed;
  }

  /** An integer in [min, max], or undefined when absent. */
  optionalInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    return this.has(name) ? this.integer(name, 0, min, max) : undefined;
  }

  /** A finite number > 0, or undefined when absent. */
  optionalPositiveNumber(name: string): number | undefined {
    const raw = this.values[name];
    if (raw === undefined) return undefined;
    const parsed = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(parsed) || parsed <= 0) throw this.bad(name, 'a number > 0', raw);
    return parsed;
  }

  /** A non-empty string, or `fallback` when absent. */
  string(name: string, fallback: string): string {
    return this.optionalString(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    const raw = this.values[name];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || raw.length === 0) throw this.bad(name, 'a non-empty value', raw);
    return raw;
  }

  /** One of `allowed`, or `fallback` when absent. */
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const raw = this.string(name, fallback);
    if (!(allowed as readonly string[]).includes(raw)) throw this.bad(name, `one of ${allowed.join(', ')}`, raw);
    return raw as T;
  }
}
