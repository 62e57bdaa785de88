/** Option parsers shared by commands; each rejects bad values with the allowed ones listed. */
import { InvalidArgumentError } from 'commander';
import { closestMatch } from '../util/suggest';

export function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value: string) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    const suggestion = closestMatch(value, allowed);
    throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
  };
}

export function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  }
  return value;
}

/** Commander's parser for a repeatable option: each use adds its value to the list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
