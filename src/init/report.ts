/** What `clerkguard init` prints: what it wrote, what fails and what it proposes, what it left out. */
import { formatPath } from '../settings/paths';
import { shown } from './document';
import { APPLY_WORDS } from './proposals';
import { byReason } from './record';
import type { InitResult, Proposal } from './index';

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
  const rule = (proposal: Proposal) => `  ${proposal.severity.padEnd(8)} ${proposal.rule}  ${formatPath(['settings', ...proposal.path])}`;
  if (result.proposals.length === 0) {
    lines.push('', `Nothing the instance showed fails the ${result.profile} checklist.`);
  }
  if (withValue.length > 0) {
    lines.push(
      '',
      result.harden
        ? `Hardened ${count(withValue.length, 'setting')} that fail the ${result.profile} checklist today (drift and pulumi preview show these changes until they are applied):`
        : `${count(withValue.length, 'setting')} fail the ${result.profile} checklist (check exits 2 on them), each with a proposed hardened value (also in the file's $comments):`,
    );
    for (const proposal of withValue) {
      lines.push(rule(proposal), `           ${proposal.message}`);
      lines.push(`           ${result.harden ? 'written' : 'proposed'}: ${proposal.change} (today ${shown(proposal.current)}); ${proposal.apply ? APPLY_WORDS[proposal.apply] : ''}`);
    }
  }
  if (advice.length > 0) {
    lines.push('', `${count(advice.length, 'finding')} fail${advice.length === 1 ? 's' : ''} with no value proposed (only you know it; also in the file's $comments):`);
    for (const proposal of advice) lines.push(rule(proposal), `           ${proposal.message}`, `           ${proposal.advice ?? ''}`);
  }

  if (result.leftOut.length > 0) {
    lines.push('', `Left out, not verified (never guessed; listed in the file's top $comment too):`);
    for (const group of byReason(result.leftOut)) lines.push(`  ${group.paths.join(', ')}: ${group.reason}`);
  }
  lines.push('', `TODO, no Clerk API shows these (a TODO $comment in the file each): ${result.todos.join(', ')}`);
  lines.push(
    '',
    'Next:',
    `  clerkguard check ${result.file}`,
    `  clerkguard drift ${result.file}${result.harden ? '          # shows the hardening changes until they are applied' : '          # clean: the values are today\'s'}`,
    ...(result.harden ? [] : [`  clerkguard ${[...result.command, '--harden', '--force'].join(' ')}   # write the proposals instead`]),
  );
  return `${lines.join('\n')}\n`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
