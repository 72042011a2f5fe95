import { ExitCode, type CliIo, type Command } from './commands';
import { cpuTestCommand } from './commands/cpu-test';
import { runCommand } from './commands/run';
import { stateCommand } from './commands/state';

const VERSION = '0.0.0';

/** Every command the CLI knows, in the order help lists them. */
export const commands: readonly Command[] = [
  runCommand,
  stateCommand,
  cpuTestCommand,
];

function help(io: CliIo): void {
  const lines = [
    'backplane: build, run and migrate emulated x86 PCs',
    '',
    'Usage: backplane <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(14)}${c.summary}`),
    `  ${'help'.padEnd(14)}Show this help, or a command's usage: backplane help <command>`,
    `  ${'version'.padEnd(14)}Print the version`,
    '',
    'Exit codes: 0 success, 1 the command found a failure, 2 bad command line, 3 unusable input.',
  ];
  io.out(lines.join('\n') + '\n');
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0] && commands.find((c) => c.name === rest[0]);
    if (topic) io.out(topic.usage + '\n');
    else help(io);
    return ExitCode.Ok;
  }
  if (name === 'version' || name === '--version') {
    io.out(`backplane ${VERSION}\n`);
    return ExitCode.Ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`backplane: unknown command "${name}" (try: backplane help)\n`);
    return ExitCode.Usage;
  }
  return command.run(rest, io);
}
