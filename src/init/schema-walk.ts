/** Where a settings path sits in the zod model: what `init` needs to place notes and cut values. */
import { z } from 'zod';
import { childSchema, unwrap } from '../baseline/validate';
import { settingsSchema } from '../settings/model';
import type { JsonPath } from '../settings/paths';

/** The schema of the value at `path` inside `settings`, or undefined past the model. */
export function schemaAt(path: JsonPath): z.ZodType | undefined {
  let schema: z.ZodType | undefined = settingsSchema;
  for (const segment of path) {
    schema = childSchema(schema, segment);
    if (schema === undefined) return undefined;
  }
  return schema;
}

/** An object of fixed shape (a strict object), where a `$comment` is a note and not data. */
export function isFixedShape(path: JsonPath): boolean {
  const schema = schemaAt(path);
  return schema !== undefined && unwrap(schema) instanceof z.ZodObject;
}
