import { describe, expect, it } from 'vitest';
import { compareQuarters, formatQuarter, parseQuarter, quarterOf, quarterRange, requireQuarter } from '../../src/snapshot/quarter';
import { ClerkguardError } from '../../src/util/errors';

describe('quarters', () => {
  it('parses and formats YYYY-Qn', () => {
    expect(parseQuarter('2026-Q4')).toEqual({ year: 2026, quarter: 4 });
    expect(formatQuarter({ year: 2027, quarter: 1 })).toBe('2027-Q1');
    expect(requireQuarter(' 2026-q2 ')).toEqual({ year: 2026, quarter: 2 });
  });

  it.each(['2026-Q5', '2026-Q0', '26-Q1', '2026Q1', '2026-4', 'Q4-2026', ''])('rejects %j with the expected form in the hint', (text) => {
    expect(parseQuarter(text)).toBeUndefined();
    try {
      requireQuarter(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ClerkguardError);
      expect((error as ClerkguardError).message).toContain('is not a quarter');
      expect((error as ClerkguardError).hint).toContain('YYYY-Qn');
    }
  });

  it('maps dates to quarters at the boundaries', () => {
    expect(quarterOf('2026-01-01')).toEqual({ year: 2026, quarter: 1 });
    expect(quarterOf('2026-03-31')).toEqual({ year: 2026, quarter: 1 });
    expect(quarterOf('2026-04-01')).toEqual({ year: 2026, quarter: 2 });
    expect(quarterOf('2026-11-26')).toEqual({ year: 2026, quarter: 4 });
    expect(quarterOf('2026-12-31')).toEqual({ year: 2026, quarter: 4 });
  });

  it('gives each quarter its first and last day, leap years included', () => {
    expect(quarterRange({ year: 2028, quarter: 1 })).toEqual({ start: '2028-01-01', end: '2028-03-31' });
    expect(quarterRange({ year: 2026, quarter: 2 })).toEqual({ start: '2026-04-01', end: '2026-06-30' });
    expect(quarterRange({ year: 2026, quarter: 4 })).toEqual({ start: '2026-10-01', end: '2026-12-31' });
  });

  it('orders quarters by time', () => {
    const sorted = ['2027-Q1', '2026-Q4', '2025-Q4', '2026-Q1'].map((text) => parseQuarter(text)!).sort(compareQuarters).map(formatQuarter);
    expect(sorted).toEqual(['2025-Q4', '2026-Q1', '2026-Q4', '2027-Q1']);
  });
});
