/**
 * Locates Clerk's OpenAPI specs (shared/clerk-openapi, beside the repository) and builds
 * openapi-backend validators for them. Tests skip visibly when the folder is absent.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import OpenAPIBackend from 'openapi-backend';

export const SPEC_FILES = {
  bapi: 'bapi-2026-05-12.yml',
  fapi: 'fapi-2026-05-12.yml',
  platform: 'platform-beta.yml',
} as const;
export type SpecName = keyof typeof SPEC_FILES;

/** Walks up from the repository root looking for shared/clerk-openapi. */
export function findSpecsDir(start = path.resolve(__dirname, '..', '..')): string | undefined {
  const fromEnv = process.env.CLERK_OPENAPI_DIR;
  if (fromEnv && existsSync(path.join(fromEnv, SPEC_FILES.bapi))) return fromEnv;
  let dir = start;
  for (;;) {
    for (const candidate of [path.join(dir, 'shared', 'clerk-openapi'), path.join(dir, '..', 'shared', 'clerk-openapi')]) {
      if (existsSync(path.join(candidate, SPEC_FILES.bapi))) return path.resolve(candidate);
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export type Validators = Record<SpecName, OpenAPIBackend>;

export async function loadValidators(dir: string): Promise<Validators> {
  const make = async (name: SpecName) => {
    // apiRoot /v1 for the APIs whose spec paths omit the /v1 of their server URL.
    const backend = new OpenAPIBackend({
      definition: path.join(dir, SPEC_FILES[name]),
      apiRoot: name === 'fapi' ? '/' : '/v1',
      quick: true,
      validate: true,
      ajvOpts: { strict: false, allErrors: true },
    });
    await backend.init();
    return backend;
  };
  const [bapi, fapi, platform] = await Promise.all([make('bapi'), make('fapi'), make('platform')]);
  return { bapi, fapi, platform };
}
