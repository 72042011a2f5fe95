// @backplane/cli: the `backplane` command line, also usable as a library (for tests).
export { main, commands } from './main';
export { ExitCode } from './commands';
export type { CliIo, Command } from './commands';
