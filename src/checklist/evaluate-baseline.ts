/** Evaluates a loaded baseline file: declared intent, with the baseline's exceptions. */
import type { LoadedBaseline } from '../baseline/load';
import type { ApplicationEvidence } from '../evidence/index';
import { formatPath } from '../settings/paths';
import { todayIso } from './helpers';
import { EXPIRED_IGNORE_RULE, evaluateSettings } from './index';
import type { Finding, RuleContext } from './types';

export function baselineContext(loaded: LoadedBaseline, today = todayIso()): RuleContext {
  const { baseline } = loaded;
  return {
    environment: baseline.environment,
    environmentType: baseline.target.environment_type,
    profile: baseline.profile,
    target: baseline.target,
    mode: 'baseline',
    today,
  };
}

/** `application`: evidence from the application (a scan) that stands in for attestations. */
export function checkBaseline(loaded: LoadedBaseline, today = todayIso(), application?: readonly ApplicationEvidence[]): Finding[] {
  const context = baselineContext(loaded, today);
  return [
    ...evaluateSettings(loaded.baseline.settings, application ? { ...context, application } : context, {
      exceptions: loaded.baseline.exceptions,
      file: loaded.file,
    }),
    ...expiredIgnoreEntries(loaded, today),
  ];
}

/** An ignore entry past its expiry no longer applies (its drift counts again) and is itself a finding, like an expired exception. */
function expiredIgnoreEntries(loaded: LoadedBaseline, today: string): Finding[] {
  return loaded.baseline.ignore.flatMap((entry, index) =>
    entry.expires < today
      ? [
          {
            file: loaded.file,
            environment: loaded.baseline.environment,
            rule: EXPIRED_IGNORE_RULE,
            checklist_item: null,
            title: 'Baseline ignore entry has expired',
            severity: 'medium' as const,
            status: 'fail' as const,
            message: `the ignore entry for ${entry.path} (owner ${entry.owner}) expired on ${entry.expires} and no longer applies`,
            path: formatPath(['ignore', index]),
            evidence: 'baseline' as const,
            remediation: 'Fix the drift it hid and remove the entry, or renew it with a new expires date and a fresh reason.',
          },
        ]
      : [],
  );
}
