import { describe, expect, test } from 'vitest';
import type { Finding } from '../../src/checklist/types';
import { sortFindings } from '../../src/report/findings';

const finding = (overrides: Partial<Finding>): Finding => ({
  environment: 'production',
  rule: 'jwt-short-lifetime',
  checklist_item: 17,
  title: 't',
  severity: 'high',
  status: 'fail',
  message: 'm',
  path: 'settings.jwt_templates.a.lifetime',
  evidence: 'baseline',
  remediation: 'r',
  ...overrides,
});

describe('sortFindings', () => {
  test('files and paths in code-unit order, the same whatever the locale', () => {
    const sorted = sortFindings([
      finding({ file: 'b.json' }),
      finding({ file: 'a.json', path: 'settings.jwt_templates.b.lifetime' }),
      finding({ file: 'a.json', path: 'settings.jwt_templates.B.lifetime' }),
      finding({ file: 'B.json' }),
    ]);
    expect(sorted.map((item) => `${item.file} ${item.path}`)).toEqual([
      'B.json settings.jwt_templates.a.lifetime',
      'a.json settings.jwt_templates.B.lifetime',
      'a.json settings.jwt_templates.b.lifetime',
      'b.json settings.jwt_templates.a.lifetime',
    ]);
  });

  test('code locations in numeric order: line 9 before line 10', () => {
    const at = (line: number) => finding({ file: 'app', path: '', location: { file: 'src/route.ts', line } });
    expect(sortFindings([at(10), at(9), at(100)]).map((item) => item.location?.line)).toEqual([9, 10, 100]);
  });
});
