/** Evaluates a loaded baseline file: declared intent, with the baseline's exceptions. */
import type { LoadedBaseline } from '../baseline/load';
import type { ApplicationEvidence } from '../evidence/index';
import { todayIso } from './helpers';
import { evaluateSettings } from './index';
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
  return evaluateSettings(loaded.baseline.settings, application ? { ...context, application } : context, {
    exceptions: loaded.baseline.exceptions,
    file: loaded.file,
  });
}
