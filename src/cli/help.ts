/**
 * The text under every command's options: exit codes, notes and examples. Prose is wrapped to
 * the terminal's width the way commander wraps descriptions (write each paragraph as one
 * line); examples are printed as they are, one command a line.
 */
import { Help, type AddHelpTextContext } from 'commander';

export interface HelpFooter {
  /** "0 clean, 2 drift, 1 could not complete": the contract, in this command's terms. */
  exitCodes: string;
  /** Paragraphs, each one line of text. */
  notes?: readonly string[];
  /** Commands, each as a user would type it (a trailing `# comment` is fine). */
  examples: readonly string[];
}

const DEFAULT_WIDTH = 80;

/** For `.addHelpText('after', helpFooter({...}))`: rendered when help is shown, at the output's width. */
export function helpFooter(footer: HelpFooter): (context: AddHelpTextContext) => string {
  return (context) => {
    const output = context.command.configureOutput();
    const width = (context.error ? output.getErrHelpWidth?.() : output.getOutHelpWidth?.()) ?? DEFAULT_WIDTH;
    return renderHelpFooter(footer, width);
  };
}

function renderHelpFooter(footer: HelpFooter, width: number): string {
  const help = new Help();
  const wrap = (text: string) => help.boxWrap(text, width);
  const blocks = [wrap(`Exit codes: ${footer.exitCodes}`), ...(footer.notes ?? []).map(wrap), ['Examples:', ...footer.examples.map((example) => `  ${example}`)].join('\n')];
  return `\n${blocks.join('\n\n')}\n`;
}
