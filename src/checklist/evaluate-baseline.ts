/** Evaluates a loaded baseline file: declared intent, with the baseline's exceptions. */
import type { LoadedBaseline } from '../baseline/load';
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

export function checkBaseline(loaded: LoadedBaseline, today = todayIso()): Finding[] {
  return evaluateSettings(loaded.baseline.settings, baselineContext(loaded, today), {
    exceptions: loaded.baseline.exceptions,
    file: loaded.file,
  });
}
