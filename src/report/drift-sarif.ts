/**
 * Drift as SARIF 2.1.0, for GitHub code scanning. Each unsuppressed change is a result on the
 * baseline file at the line of the drifted setting; suppressed changes carry a SARIF
 * suppression; environments that could not be checked become tool execution notifications.
 */
import { RULES } from '../checklist/index';
import type { DriftChange, DriftReport, EnvironmentDrift } from '../drift/types';
import { settingsSegments } from '../drift/suppress';
import { scrubSecrets } from '../settings/redact';
import { prettyJson } from '../util/json';
import { describeChange } from './drift-summary';
import { locateInFiles, type TextPosition } from './locate';
import { SARIF_SCHEMA, sarifDriver, securityScore } from './sarif';

const DIRECTION_RULES = [
  { id: 'drift-weakening', name: 'Live setting is weaker than the baseline', text: 'A live Clerk setting drifted from the baseline in a direction that weakens security.' },
  { id: 'drift-neutral', name: 'Live setting differs from the baseline', text: 'A live Clerk setting drifted from the baseline without a clear security direction.' },
  { id: 'drift-strengthening', name: 'Live setting is stronger than the baseline', text: 'A live Clerk setting is stricter than the baseline: update the baseline to keep it.' },
] as const;

function level(change: DriftChange): 'error' | 'warning' | 'note' {
  if (change.direction !== 'weakening') return 'note';
  return change.severity === 'critical' || change.severity === 'high' ? 'error' : 'warning';
}

export function renderDriftSarif(report: DriftReport, texts: Record<string, string>): string {
  return scrubSecrets(prettyJson(driftSarifValue(report, texts)));
}

/** The SARIF log of renderDriftSarif before it is written and scrubbed (notification texts are scrubbed already). */
export function driftSarifValue(report: DriftReport, texts: Record<string, string>) {
  const rules = DIRECTION_RULES.map((rule) => ({
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.name },
    fullDescription: { text: rule.text },
    help: { text: 'Change the live setting back to the baseline, or update the baseline (with review) if the change is intended.' },
    properties: { tags: ['security', 'clerk', 'drift'] },
  }));
  const changes = report.environments.flatMap((environment) => environment.changes.map((change) => ({ environment, change, file: environment.baseline_file ?? `${environment.environment}.json` })));
  // A change whose evidence is in application code points at the code, not into the baseline.
  const positions = locateInFiles(texts, changes, ({ file, change }) => (change.evidence?.location?.file ? { file: undefined, path: undefined } : { file, path: ['settings', ...settingsSegments(change.path)] }));
  const results = changes.map(({ environment, change, file }, index) => result(environment, change, file, positions[index], rules.findIndex((rule) => rule.id === `drift-${change.direction}`)));
  const notifications = report.environments.flatMap((environment) =>
    environment.errors.map((error) => ({ level: 'error', message: { text: scrubSecrets(`${environment.environment}: ${error.message}`) } })),
  );
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver(rules) },
        invocations: [{ executionSuccessful: report.status !== 'error', toolExecutionNotifications: notifications }],
        results,
      },
    ],
  };
}

function result(environment: EnvironmentDrift, change: DriftChange, file: string, position: TextPosition | undefined, ruleIndex: number) {
  // Code evidence points at the code; a probe's URL is named in the message (SARIF viewers need a file).
  const codeFile = change.evidence?.location?.file;
  const url = change.evidence?.location?.url;
  const items = change.checklist_items.map((item) => RULES[item - 1]?.id).filter((id): id is string => id !== undefined);
  return {
    ruleId: `drift-${change.direction}`,
    ruleIndex,
    level: level(change),
    message: { text: `${environment.environment}: ${change.path} ${describeChange(change, 200)} (${change.direction}, ${change.severity}, source ${change.source}${url ? `, at ${url}` : ''})` },
    locations: [
      {
        physicalLocation: codeFile
          ? { artifactLocation: { uri: codeFile.replace(/\\/g, '/') }, region: { startLine: change.evidence?.location?.line ?? 1, startColumn: change.evidence?.location?.column ?? 1 } }
          : { artifactLocation: { uri: file.replace(/\\/g, '/') }, region: { startLine: position?.line ?? 1, startColumn: position?.column ?? 1 } },
        logicalLocations: [{ fullyQualifiedName: change.path, kind: 'member' }],
      },
    ],
    ...(change.suppressed ? { suppressions: [{ kind: 'external', justification: change.suppressed.reason }] } : {}),
    partialFingerprints: { settingPath: `${environment.environment}:${change.path}` },
    properties: {
      environment: environment.environment,
      direction: change.direction,
      severity: change.severity,
      'security-severity': securityScore(change.severity),
      checklist_items: change.checklist_items,
      checklist_rules: items,
      source: change.source,
      ...(change.evidence ? { evidence: change.evidence } : {}),
    },
  };
}
