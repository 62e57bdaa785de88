/** Commands about clerkguard itself: the published schema and the rule catalogue. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Rule } from '../../checklist/types';
import { prettyJson } from '../../util/json';
import { ClerkguardError } from '../../util/errors';
import type { CliContext } from '../context';
import { helpFooter } from '../help';
import { choice } from '../options';

export function registerMeta(program: Command, context: CliContext): void {
  program
    .command('schema')
    .summary('print the JSON Schema of baseline files')
    .description(
      'Print the JSON Schema of baseline files, generated from the settings model. Point "$schema" at it for editor ' +
        'completion; --format markdown prints the settings reference (docs/settings.md).',
    )
    .option('--write <file>', 'write it to a file instead (e.g. baselines/schema.json)')
    .option('-f, --format <format>', 'json (the JSON Schema) or markdown (the settings reference)', choice(['json', 'markdown'] as const), 'json')
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 printed or written, 1 could not write the file.',
        examples: ['clerkguard schema --write baselines/schema.json', 'clerkguard schema --format markdown > docs/settings.md'],
      }),
    )
    .action(async (options: { write?: string; format: 'json' | 'markdown' }) => {
      const { baselineJsonSchemaText } = await import('../../baseline/json-schema.js');
      const { settingsMarkdown } = await import('../../baseline/settings-doc.js');
      const text = options.format === 'markdown' ? settingsMarkdown() : baselineJsonSchemaText();
      if (options.write) {
        const file = path.resolve(context.io.cwd, options.write);
        const created = !existsSync(path.dirname(file));
        try {
          const { replaceFileAtomic } = await import('../../util/fs.js');
          replaceFileAtomic(file, text, { createDir: true });
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          const why = code === 'EISDIR' ? 'it is a directory' : code === 'ENOTDIR' || code === 'EEXIST' ? `${path.dirname(options.write)} is not a directory` : code === 'EACCES' || code === 'EPERM' ? `permission denied (${code})` : (code ?? String(error));
          throw new ClerkguardError(`${options.write}: cannot write the schema (${why})`);
        }
        context.io.stderr(`wrote ${options.write}${created ? ` (created ${path.dirname(options.write)}/)` : ''}\n`);
      } else context.io.stdout(text);
    });

  program
    .command('rules')
    .summary('list the 20 checklist rules with severity and how each is verified, or show one in full')
    .description(
      'List the checklist rules: checklist item, severity, id, what evidence can verify each (config: a baseline, live: read from Clerk, code: clerkguard scan, probe: clerkguard probe, attestation: a dated statement in the baseline) and title. ' +
        'With a RULE id (or a checklist item number), show that rule in full: why it matters, how to fix it and how to verify it. --format markdown prints docs/checklist.md.',
    )
    .argument('[rule]', 'a rule id such as jwt-short-lifetime, or a checklist item number 1-20')
    .option('-f, --format <format>', 'text, json or markdown', choice(['text', 'json', 'markdown'] as const), 'text')
    .addHelpText(
      'after',
      helpFooter({
        exitCodes: '0 listed, 1 unknown rule or bad option.',
        examples: ['clerkguard rules', 'clerkguard rules jwt-short-lifetime', 'clerkguard rules 17 --format json', 'clerkguard rules --format markdown > docs/checklist.md'],
      }),
    )
    .action(async (ruleArgument: string | undefined, options: { format: 'text' | 'json' | 'markdown' }) => {
      const { RULES } = await import('../../checklist/index.js');
      const rule = ruleArgument === undefined ? undefined : await findRule(RULES, ruleArgument);
      if (options.format === 'markdown') {
        const { checklistMarkdown, ruleMarkdown } = await import('../../checklist/catalogue.js');
        context.io.stdout(rule ? ruleMarkdown(rule) : checklistMarkdown());
        return;
      }
      if (options.format === 'json') {
        context.io.stdout(prettyJson(rule ? ruleJson(rule) : RULES.map(ruleJson)));
        return;
      }
      if (rule) {
        context.io.stdout(ruleText(rule));
        return;
      }
      const verified = (item: Rule) => item.verification.join(', ');
      const width = Math.max(...RULES.map((item) => item.id.length));
      const verifiedWidth = Math.max(...RULES.map((item) => verified(item).length));
      const header = ` #  ${'severity'.padEnd(8)}  ${'rule'.padEnd(width)}  ${'verified by'.padEnd(verifiedWidth)}  title`;
      const lines = RULES.map((item) => `${String(item.checklist_item).padStart(2)}  ${item.severity.padEnd(8)}  ${item.id.padEnd(width)}  ${verified(item).padEnd(verifiedWidth)}  ${item.title}`);
      context.io.stdout(
        `${[header, ...lines].join('\n')}\n\nverified by: config = a baseline, live = read from Clerk, code = clerkguard scan, probe = clerkguard probe, attestation = a dated statement in the baseline.\n\`clerkguard rules RULE\` shows one rule in full.\n`,
      );
    });
}

function ruleJson({ id, checklist_item, title, severity, rationale, remediation, verification, how_to_verify }: Rule) {
  return { id, checklist_item, title, severity, verification, rationale, remediation, how_to_verify };
}

/** A rule by id or by checklist item number; an unknown one is an error with the closest id. */
async function findRule(rules: readonly Rule[], wanted: string): Promise<Rule> {
  const byItem = /^\d{1,2}$/.test(wanted) ? rules.find((rule) => rule.checklist_item === Number(wanted)) : undefined;
  const rule = byItem ?? rules.find((candidate) => candidate.id === wanted);
  if (rule) return rule;
  const { closestMatch } = await import('../../util/suggest.js');
  const suggestion = closestMatch(
    wanted,
    rules.map((candidate) => candidate.id),
  );
  throw new ClerkguardError(`no checklist rule "${wanted}"`, { hint: suggestion ? `did you mean "${suggestion}"? (clerkguard rules lists them all)` : 'clerkguard rules lists them all; a checklist item number 1-20 works too' });
}

function ruleText(rule: Rule): string {
  return [
    `${rule.id}: checklist item ${rule.checklist_item}, ${rule.severity}`,
    rule.title,
    '',
    `why:         ${rule.rationale}`,
    `fix:         ${rule.remediation}`,
    `verified by: ${rule.verification.join(', ')}`,
    `verify:      ${rule.how_to_verify}`,
    '',
  ].join('\n');
}
