/**
 * The response boundary's claims about Clerk, checked against Clerk's own OpenAPI specs (run
 * from openapi.test.ts, which has the specs parsed already): every answer field marked
 * `basis: 'spec'` has the type the spec gives it, and is `required` in clerkguard exactly when
 * the spec's component lists it as required, and its `enum` is the spec's (unless `enumBasis:
 * 'product'`); a `product` field or enum is one clerkguard needs beyond the spec and says why in
 * src/clerk/answers.ts.
 */
import { expect } from 'vitest';
import { ANSWERS, type AnswerField } from '../../src/clerk/answers';
import { SPEC_FILES, type SpecName } from './specs';

type Schema = { type?: string; required?: string[]; properties?: Record<string, Schema>; items?: Schema; $ref?: string; allOf?: Schema[]; nullable?: boolean; enum?: string[] };
export type SpecDocument = { components?: { schemas?: Record<string, Schema> } };

export interface AnswerRow {
  label: string;
  spec: SpecName;
  component: string;
  field: AnswerField;
}

export function answerRows(): AnswerRow[] {
  const specOf = (file: string) => (Object.entries(SPEC_FILES).find(([, name]) => name === file)![0]) as SpecName;
  return Object.entries(ANSWERS).flatMap(([name, answer]) =>
    (answer.fields as readonly AnswerField[]).filter((field) => field.basis === 'spec').map((field) => ({ label: `${name}: ${field.path}`, spec: specOf(answer.specFile), component: answer.component!, field })),
  );
}

export function productFields(): string[] {
  return Object.values(ANSWERS).flatMap((answer) =>
    (answer.fields as readonly AnswerField[]).flatMap((field) => [
      ...(field.basis === 'product' ? [`${answer.operation}.${field.path}`] : []),
      ...(field.basis === 'spec' && field.enumBasis === 'product' ? [`${answer.operation}.${field.path} (enum)`] : []),
    ]),
  );
}

export function checkAnswerRow(document: SpecDocument, row: AnswerRow): void {
  const schemas = document.components?.schemas ?? {};
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    let current = schema;
    for (let hops = 0; current && hops < 10; hops++) {
      const ref = current.$ref ?? current.allOf?.find((part) => part.$ref)?.$ref;
      if (!ref) return current.allOf ? { ...current, ...Object.assign({}, ...current.allOf) } : current;
      current = schemas[ref.split('/').pop()!];
    }
    return current;
  };
  const { component, field } = row;
  let parent = resolve(schemas[component]);
  let schema: Schema | undefined;
  let requiredInParent = false;
  const segments = field.path.split('.');
  for (const [index, segment] of segments.entries()) {
    const child = resolve(parent?.properties?.[segment]);
    if (index === segments.length - 1) {
      schema = child;
      requiredInParent = parent?.required?.includes(segment) ?? false;
    }
    parent = child;
  }
  expect(schema, `${component}.${field.path} is in the spec`).toBeDefined();
  expect(field.presence === 'required', `${component}.${field.path}: required in the spec = ${requiredInParent}`).toBe(requiredInParent);
  const specType = schema!.type ?? (schema!.properties ? 'object' : undefined);
  const expected = { string: 'string', boolean: 'boolean', integer: 'integer', object: 'object', array: 'array', 'string[]': 'array' }[field.type];
  expect(specType, `${component}.${field.path} type`).toBe(expected);
  if (field.type === 'string[]') expect(resolve(schema!.items)?.type).toBe('string');
  expect(Boolean(field.nullable), `${component}.${field.path} nullable`).toBe(Boolean(schema!.nullable));
  if (field.enum && field.enumBasis !== 'product') {
    const specEnum = field.type === 'string[]' ? resolve(schema!.items)?.enum : schema!.enum;
    expect([...(specEnum ?? [])].sort(), `${component}.${field.path} enum`).toEqual([...field.enum].sort());
  }
  if (field.enumBasis === 'product') expect(schema!.enum, `${component}.${field.path}: the spec gives no enum, so it is the product's`).toBeUndefined();
  for (const each of field.each ?? []) {
    const item = resolve(schema!.items);
    expect(item?.properties?.[each.path], `${component}.${field.path}[].${each.path}`).toBeDefined();
    if (each.basis === 'spec') expect(each.presence === 'required').toBe(item?.required?.includes(each.path) ?? false);
  }
}
