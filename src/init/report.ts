/** What `clerkguard init` prints: what it wrote, what fails and what it proposes, what it left out. */
import { formatPath } from '../settings/paths';
import { shown } from './document';
import { APPLY_WORDS } from './proposals';
import type { InitResult } from './index';

export function renderInitReport(result: InitResult): string {
  const lines: string[] = [];
  const recorded = Object.entries(result.recorded)
    .map(([source, count]) => `${source} ${count}`)
    .join(', ');
  lines.push(`${result.replaced ? 'replaced' : 'wrote'} ${result.file}: environment ${result.environment} (${result.target.environment_type}), profile ${result.profile}, from ${result.source}`);
  lines.push(`  recorded what was read (${recorded || 'nothing'})${result.harden ? ', with the proposed hardened values (--harden)' : ', today\'s values'}`);
  for (const note of result.notes) lines.push(`  note: ${note}`);

  const withValue = result.proposals.filter((proposal) => proposal.proposed !== undefined);
  const advice = result.proposals.filter((proposal) => proposal.proposed === undefined);
  if (result.proposals.length === 0) {
    lines.push('', `Nothing the instance showed fails the ${result.profile} checklist.`);
  } else {
    lines.push(
      '',
      result.harden
        ? `Hardened ${withValue.length} setting${withValue.length === 1 ? '' : 's'} that fail the ${result.profile} checklist (drift and pulumi preview show these changes until they are applied):`
        : `${result.proposals.length} setting${result.proposals.length === 1 ? '' : 's'} fail the ${result.profile} checklist (check exits 2 on them; the file's $comments carry the same proposals):`,
    );
    for (const proposal of [...withValue, ...advice]) {
      lines.push(`  ${proposal.severity.padEnd(8)} ${proposal.rule}  ${formatPath(['settings', ...proposal.path])}`);
      lines.push(`           ${proposal.message}`);
      if (proposal.proposed === undefined) lines.push(`           no value proposed: ${proposal.advice ?? ''}`);
      else lines.push(`           ${result.harden ? 'written' : 'proposed'}: ${proposal.change} (today ${shown(proposal.current)}); ${proposal.apply ? APPLY_WORDS[proposal.apply] : ''}`);
    }
  }

  if (result.leftOut.length > 0) {
    lines.push('', `Left out, not verified (never guessed; listed in the file's top $comment too):`);
    for (const entry of result.leftOut) lines.push(`  ${entry.path}: ${entry.reason}`);
  }
  lines.push('', `TODO, no Clerk API shows these (a TODO $comment in the file each): ${result.todos.join(', ')}`);
  lines.push(
    '',
    'Next:',
    `  clerkguard check ${result.file}`,
    `  clerkguard drift ${result.file}${result.harden ? '          # shows the hardening changes until they are applied' : '          # clean: the values are today\'s'}`,
    ...(result.harden ? [] : [`  clerkguard init --env ${result.environment} --profile ${result.profile} --harden --force   # write the proposals instead`]),
  );
  return `${lines.join('\n')}\n`;
}
