#!/usr/bin/env node
// The `faltung` command line: picks the subcommand, prints help, and turns every error into one
// line on stderr ("faltung: error: ...") and a non-zero exit. Stack traces only with FALTUNG_DEBUG=1.
import { FaltungError } from '../errors';
import { UsageError } from './arguments';
import { type Command, wantsHelp } from './command';
import { evaluateCommand } from './commands/evaluate';
import { predictCommand } from './commands/predict';
import { summaryCommand } from './commands/summary';
import { trainCommand } from './commands/train';
import { lrFindCommand } from './commands/lr_find';
import { tuneCommand } from './commands/tune';
import { visualizeCommand } from './commands/visualize';

const COMMANDS: readonly Command[] = [
  trainCommand, evaluateCommand, predictCommand, summaryCommand, visualizeCommand, lrFindCommand, tuneCommand,
];

/** Exit codes: 1 for failures (files, data, training), 2 for wrong usage, as most Unix tools. */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

function version(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}

const GENERAL_HELP = `Usage: faltung <command> [options]

Convolutional neural networks for Node.js.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.description}`).join('\n')}

Run 'faltung <command> --help' for a command's options.
  -h, --help     this text
  -v, --version  the faltung version
`;

/** One line: the message without its stack and with line breaks folded. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(GENERAL_HELP);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    throw new UsageError(`unknown command '${name}' (expected one of ${COMMANDS.map((c) => c.name).join(', ')})`, '');
  }
  if (wantsHelp(rest)) {
    process.stdout.write(command.help);
    return 0;
  }
  await command.run(rest);
  return 0;
}

function report(error: unknown): number {
  const usage = error instanceof UsageError;
  const expected = usage || error instanceof FaltungError || error instanceof TypeError || error instanceof RangeError;
  let line = `faltung: error: ${oneLine(error)}`;
  if (usage) line += ` (see 'faltung ${error.command ? `${error.command} ` : ''}--help')`;
  else if (!expected) line += ' (unexpected: FALTUNG_DEBUG=1 shows the stack trace)';
  process.stderr.write(`${line}\n`);
  if (process.env.FALTUNG_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return usage ? EXIT_USAGE : EXIT_FAILURE;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => { process.exitCode = report(error); },
);
