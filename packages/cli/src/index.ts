export { runCli, commands, topLevelHelp } from './run.js';
export type { Command, CommandContext, ParsedArgs } from './command.js';
