import { describe, expect, test } from 'vitest';
import type { EnvironmentDrift } from '../../src/drift/types';
import { reportHeadline } from '../../src/report/drift-summary';
import { resolvedMessage } from '../../src/report/slack';

const environment = (status: EnvironmentDrift['status'], unverified: string[] = []): EnvironmentDrift => ({
  environment: 'production',
  baseline_version: '1.0.0',
  status,
  changes: [],
  unmanaged: [],
  unverified: unverified.map((path) => ({ path, baseline: null })),
  errors: status === 'error' ? [{ message: 'Clerk failed (503)' }] : [],
  coverage: {},
});
const headline = (...environments: EnvironmentDrift[]) => reportHeadline({ status: 'clean', generated_at: '2026-11-26T03:00:00.000Z', environments });

describe('report headline', () => {
  test('a run where nothing could be checked never says "no drift"', () => {
    expect(headline(environment('error'))).toBe('1 of 1 environment could not be checked');
    expect(headline(environment('error'), environment('error'))).toBe('2 of 2 environments could not be checked');
  });

  test('"no drift" names the managed settings no source could verify', () => {
    expect(headline(environment('clean'))).toBe('no drift in 1 of 1 environment');
    expect(headline(environment('clean', ['settings.session.revoke_on', 'settings.webhooks.endpoints']), environment('error', ['ignored']))).toBe(
      'no drift in 1 of 2 environments; 1 could not be checked; 2 managed settings unverified',
    );
  });

  test('the resolved message claims a match only for verified settings', () => {
    expect(resolvedMessage(environment('clean')).text).toBe('Clerk drift resolved in production: the live settings match baseline 1.0.0 again');
    expect(resolvedMessage(environment('clean', ['settings.session.revoke_on'])).text).toBe(
      'Clerk drift resolved in production: the verified live settings match baseline 1.0.0 again (1 managed setting unverified)',
    );
  });
});
