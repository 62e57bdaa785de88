/**
 * The response boundary's claims about Clerk, checked against Clerk's own OpenAPI specs: every
 * answer field marked `basis: 'spec'` has the type the spec gives it, and is `required` in
 * clerkguard exactly when the spec's component lists it as required (a `product` field is
 * one clerkguard needs beyond the spec and says so). Skips visibly without the specs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ANSWERS, type AnswerField } from '../../src/clerk/answers';
import { findSpecsDir } from './specs';

const specsDir = findSpecsDir();
const contract = specsDir ? describe : describe.skip;

type Schema = { type?: string; required?: string[]; properties?: Record<string, Schema>; items?: Schema; $ref?: string; allOf?: Schema[]; nullable?: boolean; enum?: string[] };

contract('answer schemas against Clerk OpenAPI specs', () => {
  const specs = new Map<string, { components: { schemas: Record<string, Schema> } }>();
  const spec = (file: string) => {
    if (!specs.has(file)) specs.set(file, parse(readFileSync(path.join(specsDir!, file), 'utf8')) as { components: { schemas: Record<string, Schema> } });
    return specs.get(file)!;
  };
  const resolve = (file: string, schema: Schema | undefined): Schema | undefined => {
    let current = schema;
    for (let hops = 0; current && hops < 10; hops++) {
      const ref = current.$ref ?? current.allOf?.find((part) => part.$ref)?.$ref;
      if (!ref) return current;
      current = spec(file).components.schemas[ref.split('/').pop()!];
    }
    return current;
  };

  /** The spec schema of a field path inside a component, with the required list of its parent. */
  const locate = (file: string, component: string, fieldPath: string): { schema?: Schema; requiredInParent: boolean } => {
    let parent = resolve(file, spec(file).components.schemas[component]);
    const segments = fieldPath.split('.');
    for (const [index, segment] of segments.entries()) {
      const child = resolve(file, parent?.properties?.[segment]);
      if (index === segments.length - 1) return { schema: child, requiredInParent: parent?.required?.includes(segment) ?? false };
      parent = child;
    }
    return { requiredInParent: false };
  };

  const rows = Object.entries(ANSWERS).flatMap(([name, answer]) =>
    (answer.fields as readonly AnswerField[]).filter((field) => field.basis === 'spec').map((field) => [`${name}: ${field.path}`, answer.specFile, answer.component!, field] as const),
  );

  it.each(rows)('%s', (_label, file, component, field) => {
    const { schema, requiredInParent } = locate(file, component, field.path);
    expect(schema, `${component}.${field.path} is in ${file}`).toBeDefined();
    expect(field.presence === 'required', `${component}.${field.path}: required in the spec = ${requiredInParent}`).toBe(requiredInParent);
    const specType = schema!.type ?? (schema!.properties ? 'object' : undefined);
    const expected = { string: 'string', boolean: 'boolean', integer: 'integer', object: 'object', array: 'array', 'string[]': 'array' }[field.type];
    expect(specType, `${component}.${field.path} type`).toBe(expected);
    if (field.type === 'string[]') expect(resolve(file, schema!.items)?.type).toBe('string');
    expect(Boolean(field.nullable), `${component}.${field.path} nullable`).toBe(Boolean(schema!.nullable));
    for (const each of field.each ?? []) {
      const item = resolve(file, schema!.items);
      expect(item?.properties?.[each.path], `${component}.${field.path}[].${each.path}`).toBeDefined();
      if (each.basis === 'spec') expect(each.presence === 'required').toBe(item?.required?.includes(each.path) ?? false);
    }
  });

  it('every product-basis field says why in the source (and is few)', () => {
    const product = Object.values(ANSWERS).flatMap((answer) => (answer.fields as readonly AnswerField[]).filter((field) => field.basis === 'product').map((field) => `${answer.operation}.${field.path}`));
    expect(product.sort()).toEqual(
      [
        'PlatformGetConfig.session',
        'PlatformGetConfig.session.inactivity_timeout_in_minutes',
        'PlatformGetConfig.session.maximum_lifetime_in_minutes',
        'UpdateInstanceRestrictions.allowlist_blocklist_disabled_on_sign_in',
        'getEnvironment.display_config',
        'getEnvironment.user_settings.sign_in.second_factor.required',
      ].sort(),
    );
  });
});
