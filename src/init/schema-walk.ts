/** Where a settings path sits in the zod model: what `init` needs to place notes and cut values. */
import { z } from 'zod';
import { settingsSchema } from '../settings/model';
import type { JsonPath } from '../settings/paths';

export function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodDefault) current = current.removeDefault() as z.ZodType;
    else return current;
  }
}

/** The schema of the value at `path` inside `settings`, or undefined past the model. */
export function schemaAt(path: JsonPath): z.ZodType | undefined {
  let schema: z.ZodType | undefined = settingsSchema;
  for (const segment of path) {
    const inner: z.ZodType | undefined = schema ? unwrap(schema) : undefined;
    if (inner instanceof z.ZodObject) schema = (inner.shape as Record<string, z.ZodType>)[String(segment)];
    else if (inner instanceof z.ZodRecord) schema = inner.valueType as z.ZodType;
    else if (inner instanceof z.ZodArray) schema = inner.element as z.ZodType;
    else return undefined;
  }
  return schema;
}

/** An object of fixed shape (a strict object), where a `$comment` is a note and not data. */
export function isFixedShape(path: JsonPath): boolean {
  const schema = schemaAt(path);
  return schema !== undefined && unwrap(schema) instanceof z.ZodObject;
}
