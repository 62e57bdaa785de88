/** What both SARIF renderers (findings and drift) share: the tool driver and the severity score. */
import type { Severity } from '../checklist/types';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** GitHub code scanning's `security-severity` for a clerkguard severity. */
export function securityScore(severity: Severity): string {
  return { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0' }[severity];
}

/** The `tool.driver` object of a clerkguard SARIF run. */
export function sarifDriver<R>(rules: R[]): { name: string; informationUri: string; semanticVersion: string; rules: R[] } {
  return { name: 'clerkguard', informationUri: 'https://github.com/clerkguard/clerkguard', semanticVersion: toolVersion(), rules };
}

function toolVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../../package.json') as { version: string }).version;
}
