/** The published JSON Schema of baseline files, generated from the zod model. */
import { z } from 'zod';
import { stableStringify } from '../util/json';
import { allowCommentsInJsonSchema } from './comments';
import { baselineSchema } from './schema';

export const SCHEMA_ID = 'https://clerkguard.dev/schema/baseline-v1.json';

export function baselineJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(baselineSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  allowCommentsInJsonSchema(schema);
  return { ...schema, $id: SCHEMA_ID, title: 'clerkguard baseline' };
}

export function baselineJsonSchemaText(): string {
  return stableStringify(baselineJsonSchema());
}
