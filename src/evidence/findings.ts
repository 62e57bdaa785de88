/**
 * Application evidence on its own as checklist findings (for `clerkguard probe`): one finding
 * per observation, waived by inline suppressions or by baseline exceptions (settings paths,
 * `code:GLOB` and `url:PREFIX` scopes) with the same rules as every other finding.
 */
import type { BaselineException } from '../baseline/schema';
import { RULES, applyBaselineException, type Finding } from '../checklist/index';
import type { ApplicationEvidence } from './index';

export interface ApplicationFindingOptions {
  environment: string;
  file?: string;
  exceptions?: readonly BaselineException[];
  today: string;
}

export function applicationFindings(evidence: readonly ApplicationEvidence[], options: ApplicationFindingOptions): Finding[] {
  const findings: Finding[] = [];
  for (const source of evidence) {
    for (const observation of source.observations) {
      const rule = RULES.find((candidate) => candidate.id === observation.rule);
      if (!rule) continue;
      const suppressed = observation.suppressed;
      const finding: Finding = {
        ...(options.file === undefined ? {} : { file: options.file }),
        environment: options.environment,
        rule: rule.id,
        checklist_item: rule.checklist_item,
        title: rule.title,
        severity: rule.severity,
        status: suppressed ? 'excepted' : observation.status,
        message: suppressed ? `${observation.message} (suppressed at ${suppressed.at}: ${suppressed.reason})` : observation.message,
        path: '',
        evidence: observation.source,
        location: observation.location,
        confidence: observation.confidence,
        check: observation.check,
        ...(observation.snippet ? { snippet: observation.snippet } : {}),
        remediation: rule.remediation,
        ...(observation.status === 'not_verifiable' ? { how_to_verify: rule.how_to_verify } : {}),
      };
      if (finding.status === 'fail') applyBaselineException(finding, { location: observation.location }, options.exceptions ?? [], options.today);
      findings.push(finding);
    }
  }
  return findings;
}
