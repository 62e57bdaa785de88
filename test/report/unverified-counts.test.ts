/**
 * The text report's UNVERIFIED block and summary line count checklist items, files a scan could
 * not analyse, and other findings without an item apart: a file is never an "item", and an item
 * with several undecided findings is one item.
 */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/checklist/types';
import { renderFindings } from '../../src/report/findings';

const finding = (overrides: Partial<Finding>): Finding => ({
  environment: 'app',
  rule: 'session-server-side-verification',
  checklist_item: 7,
  title: 't',
  severity: 'critical',
  status: 'not_verifiable',
  message: 'm',
  path: '',
  evidence: 'code',
  remediation: 'r',
  ...overrides,
});

const fileGap = (file: string): Finding => finding({ rule: 'scan-file-not-analysed', checklist_item: null, severity: 'medium', location: { file, line: 1, column: 1 } });

describe('text report: unverified items and files are counted apart', () => {
  const cases: { name: string; findings: Finding[]; header: string; summary: string }[] = [
    {
      name: 'two findings of one item and two files',
      findings: [finding({ location: { file: 'a.ts' } }), finding({ location: { file: 'b.ts' } }), finding({ rule: 'webhook-idempotency', checklist_item: 11, severity: 'medium' }), fileGap('x.ts'), fileGap('y.js')],
      header: 'UNVERIFIED 2 items without evidence yet, 2 files not analysed (',
      summary: '0 fail, 0 excepted, 3 unverified, 0 pass, 2 files not analysed (items 2/20 covered)',
    },
    {
      name: 'only a file',
      findings: [fileGap('x.ts')],
      header: 'UNVERIFIED 1 file not analysed (',
      summary: '0 fail, 0 excepted, 0 unverified, 0 pass, 1 file not analysed (items 0/20 covered)',
    },
    {
      name: 'a gap that is neither an item nor a file',
      findings: [finding({}), finding({ rule: 'probe-not-run', checklist_item: null, severity: 'medium', evidence: 'probe' })],
      header: 'UNVERIFIED 1 item without evidence yet, 1 other finding without an item (',
      summary: '0 fail, 0 excepted, 2 unverified, 0 pass (items 1/20 covered)',
    },
  ];
  for (const entry of cases) {
    it(entry.name, () => {
      const text = renderFindings('text', { findings: entry.findings, failOn: 'high', color: false });
      expect(text).toContain(entry.header);
      expect(text).toContain(entry.summary);
    });
  }
});
