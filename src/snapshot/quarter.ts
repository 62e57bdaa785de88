/**
 * Calendar quarters as snapshot names (`2026-Q4`). Quarters sort lexically in time order only
 * because the year is always four digits, so parsing insists on that.
 */
import { ClerkguardError } from '../util/errors';

export interface Quarter {
  year: number;
  quarter: 1 | 2 | 3 | 4;
}

const QUARTER_PATTERN = /^(\d{4})-Q([1-4])$/;

export function formatQuarter(value: Quarter): string {
  return `${String(value.year).padStart(4, '0')}-Q${value.quarter}`;
}

/** Parses `YYYY-Qn`; returns undefined for anything else. */
export function parseQuarter(text: string): Quarter | undefined {
  const match = QUARTER_PATTERN.exec(text);
  if (!match) return undefined;
  return { year: Number(match[1]), quarter: Number(match[2]) as Quarter['quarter'] };
}

/** Years a review snapshot can be about: Clerk and clerkguard postdate 2000. */
export const FIRST_QUARTER_YEAR = 2000;

/** Parses `YYYY-Qn` or throws a ClerkguardError that shows the expected form. */
export function requireQuarter(text: string): Quarter {
  const parsed = parseQuarter(text.trim().toUpperCase());
  if (!parsed) {
    throw new ClerkguardError(`--quarter "${text}" is not a quarter`, {
      hint: 'expected YYYY-Qn with n from 1 to 4, e.g. 2026-Q4',
    });
  }
  if (parsed.year < FIRST_QUARTER_YEAR) {
    throw new ClerkguardError(`--quarter "${text}" is not a plausible quarter (year ${parsed.year} is before ${FIRST_QUARTER_YEAR})`, { hint: 'a review snapshot records the settings as they are now: use the current quarter, e.g. 2026-Q4' });
  }
  return parsed;
}

/** The quarter a YYYY-MM-DD date falls in. */
export function quarterOf(date: string): Quarter {
  const match = /^(\d{4})-(\d{2})-\d{2}$/.exec(date);
  if (!match) throw new ClerkguardError(`"${date}" is not a date as YYYY-MM-DD`);
  const month = Number(match[2]);
  return { year: Number(match[1]), quarter: (Math.floor((month - 1) / 3) + 1) as Quarter['quarter'] };
}

export function compareQuarters(a: Quarter, b: Quarter): number {
  return a.year - b.year || a.quarter - b.quarter;
}

/** First and last day of a quarter, as YYYY-MM-DD. */
export function quarterRange(value: Quarter): { start: string; end: string } {
  const startMonth = (value.quarter - 1) * 3 + 1;
  const endMonth = startMonth + 2;
  const lastDay = new Date(Date.UTC(value.year, endMonth, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return { start: `${value.year}-${pad(startMonth)}-01`, end: `${value.year}-${pad(endMonth)}-${pad(lastDay)}` };
}
