import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderDrift, type DriftFormat } from '../../src/report/drift';
import { driftAlert, errorAlert, resolvedMessage } from '../../src/report/slack';
import { sampleReport, SENTINEL_SECRET } from './sample';
import { PRODUCTION_BASELINE_FILE } from '../drift/fixtures';

const GOLDEN = path.join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** Compares with the golden file; UPDATE_GOLDEN=1 rewrites it instead. */
function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (UPDATE || !existsSync(file)) {
    if (!UPDATE) throw new Error(`missing golden file ${name}: run UPDATE_GOLDEN=1 npx vitest run test/report`);
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const FORMATS: [DriftFormat, string][] = [
  ['text', 'drift.txt'],
  ['markdown', 'drift.md'],
  ['json', 'drift.json'],
  ['sarif', 'drift.sarif'],
];

describe('drift report golden files', () => {
  const report = sampleReport();
  const texts = { 'baselines/production.json': readFileSync(PRODUCTION_BASELINE_FILE, 'utf8') };

  test.each(FORMATS)('%s', (format, file) => {
    const output = renderDrift(format, report, { color: false, texts });
    expect(output).not.toContain(SENTINEL_SECRET);
    expect(output.endsWith('\n')).toBe(true);
    golden(file, output);
  });

  test('slack drift alert, resolved and error messages', () => {
    const [production, staging] = report.environments;
    const messages = { drift_alert: driftAlert(production!), resolved: resolvedMessage(production!), error_alert: errorAlert(staging!) };
    const text = `${JSON.stringify(messages, null, 2)}\n`;
    expect(text).not.toContain(SENTINEL_SECRET);
    golden('slack.json', text);
  });

  test('weakening changes come first in every format', () => {
    const production = report.environments[0]!;
    const directions = production.changes.filter((change) => !change.suppressed).map((change) => change.direction);
    expect(directions).toEqual([...directions].sort((a, b) => ['weakening', 'neutral', 'strengthening'].indexOf(a) - ['weakening', 'neutral', 'strengthening'].indexOf(b)));
    const markdown = renderDrift('markdown', report);
    expect(markdown.indexOf('| weakening |')).toBeLessThan(markdown.indexOf('| strengthening |'));
    const text = renderDrift('text', report);
    expect(text.indexOf('WEAKENING')).toBeLessThan(text.indexOf('STRENGTHENING'));
  });

  test('text output is coloured only when asked', () => {
    expect(renderDrift('text', report, { color: true })).toContain('\u001b[31m');
    expect(renderDrift('text', report, { color: false })).not.toContain('\u001b[');
  });

  test('SARIF points at the line of the drifted setting in the baseline', () => {
    const sarif = JSON.parse(renderDrift('sarif', report, { texts })) as { runs: { results: { message: { text: string }; locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[] };
    const timeout = sarif.runs[0]!.results.find((result) => result.message.text.includes('inactivity_timeout_minutes'));
    const line = readFileSync(PRODUCTION_BASELINE_FILE, 'utf8').split('\n').findIndex((text) => text.includes('"inactivity_timeout_minutes"')) + 1;
    expect(timeout?.locations[0]?.physicalLocation.region.startLine).toBe(line);
  });
});
