/** Commands about clerkguard itself: the published schema and the rule catalogue. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { prettyJson } from '../../util/json';
import { ClerkguardError } from '../../util/errors';
import type { CliContext } from '../context';
import { choice } from '../options';

export function registerMeta(program: Command, context: CliContext): void {
  program
    .command('schema')
    .summary('print the JSON Schema of baseline files')
    .description(
      'Print the JSON Schema of baseline files, generated from the settings model.\n' +
        'Point "$schema" at it for editor completion; --format markdown prints the settings reference (docs/settings.md).',
    )
    .option('--write <file>', 'write it to a file instead (e.g. baselines/schema.json)')
    .option('-f, --format <format>', 'json (the JSON Schema) or markdown (the settings reference)', choice(['json', 'markdown'] as const), 'json')
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
    .summary('list the 20 checklist rules with severity and how each is verified')
    .description('List the checklist rules: id, checklist item, severity, and how each can be verified.\n--format markdown prints docs/checklist.md.')
    .option('-f, --format <format>', 'text, json or markdown', choice(['text', 'json', 'markdown'] as const), 'text')
    .action(async (options: { format: 'text' | 'json' | 'markdown' }) => {
      const { RULES } = await import('../../checklist/index.js');
      if (options.format === 'markdown') {
        const { checklistMarkdown } = await import('../../checklist/catalogue.js');
        context.io.stdout(checklistMarkdown());
        return;
      }
      if (options.format === 'json') {
        context.io.stdout(
          prettyJson(
            RULES.map(({ id, checklist_item, title, severity, rationale, remediation, verification, how_to_verify }) => ({
              id,
              checklist_item,
              title,
              severity,
              verification,
              rationale,
              remediation,
              how_to_verify,
            })),
          ),
        );
        return;
      }
      const lines = RULES.map((rule) => `${String(rule.checklist_item).padStart(2)}  ${rule.severity.padEnd(8)}  ${rule.id.padEnd(34)}  ${rule.title}`);
      context.io.stdout(`${lines.join('\n')}\n`);
    });
}
