/**
 * The Pulumi dynamic providers. Pulumi serializes each provider object (its functions and
 * everything they capture) into the stack state and later runs that text in a separate
 * provider process. So these functions capture only the kind and a loader that finds the
 * compiled implementation module when called. No client, no credential, no settings object,
 * and no path of this checkout is ever captured: the state reads the same on every machine,
 * and credentials arrive through `configure`.
 */
import * as pulumi from '@pulumi/pulumi';
import { SECRET_KEYS, TYPE_MODULE, type KindName } from './kinds';
import type * as Implementation from './implementation';

type ImplementationModule = typeof Implementation;

/**
 * Finds and loads dist/provider/implementation.js of the clerkguard package in the provider
 * process. The anchor is the @pulumi/pulumi that runs the provider (the plugin's main script):
 * Pulumi's `pulumi-resource-pulumi-nodejs` resolves it from the project, so walking up from it
 * reaches the project that owns this stack, wherever it lives now. That project is either the
 * clerkguard checkout itself (package.json named clerkguard) or a project with clerkguard in
 * node_modules. Neither the provider's working directory (Pulumi starts it in dirname(main)) nor
 * the path of the checkout that wrote the state is used, so a moved checkout still loads.
 *
 * Serialized along with the methods, so it may use nothing but `require` and globals. Failures
 * are one sentence with a hint.
 */
function loadImplementation(): ImplementationModule {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const fs = require('node:fs') as typeof import('node:fs');
  const path = require('node:path') as typeof import('node:path');
  // The plugin prints `${error}: ${error.stack}`: an empty stack shows the message once.
  const plain = (message: string): Error => {
    const error = new Error(message);
    error.stack = '';
    return error;
  };
  const isClerkguard = (dir: string): boolean => {
    try {
      return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name === 'clerkguard';
    } catch {
      return false;
    }
  };
  const anchors = [require.main?.filename, process.argv[1]].filter((file): file is string => typeof file === 'string' && file !== '');
  const module = path.join('dist', 'provider', 'implementation.js');
  for (const anchor of [...new Set(anchors)]) {
    let dir = path.dirname(path.resolve(anchor));
    // Bounded: a path has far fewer than 128 levels.
    for (let depth = 0; depth < 128; depth++) {
      const candidates = [isClerkguard(dir) ? path.join(dir, module) : undefined, path.join(dir, 'node_modules', 'clerkguard', module)];
      for (const file of candidates) {
        if (!file || !fs.existsSync(file)) continue;
        try {
          return require(file) as ImplementationModule;
        } catch (error) {
          throw plain(`clerkguard: cannot load the provider implementation ${file}: ${(error as Error)?.message ?? String(error)} (hint: rebuild it with \`npm run build\` in the clerkguard project)`);
        }
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw plain(
    `clerkguard: cannot find the provider implementation (${module} of the clerkguard package) in any project above ${anchors.map((anchor) => path.dirname(anchor)).join(', ') || 'the provider process'} ` +
      '(hint: run pulumi in the clerkguard checkout or in a project that has clerkguard installed, after `npm ci`, which builds dist/)',
  );
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * A provider object for one kind. Exported for tests that serialize it and call the
 * deserialized copy directly.
 */
export function dynamicProvider(kind: KindName): pulumi.dynamic.ResourceProvider {
  // Loading inside each method (not at module scope) keeps the module out of the closure:
  // the serializer would otherwise inline the whole module graph into the state.
  const provider: pulumi.dynamic.ResourceProvider = {
    async configure(request) {
      loadImplementation().configure(request.config);
    },
    async check(olds, news) {
      return loadImplementation().check(kind, olds, news);
    },
    async diff(id, olds, news) {
      return loadImplementation().diff(kind, id, olds, news);
    },
    async create(inputs) {
      return loadImplementation().create(kind, inputs);
    },
    async read(id, props) {
      return loadImplementation().read(kind, id, props);
    },
    async update(id, olds, news) {
      return loadImplementation().update(kind, id, olds, news);
    },
    async delete(id, props) {
      return loadImplementation().remove(kind, id, props);
    },
  };
  return provider;
}

// One provider object per kind: @pulumi/pulumi caches serialization per object, so resources
// of a kind share one serialized text (and one provider instance in the provider process).
const providers = new Map<KindName, pulumi.dynamic.ResourceProvider>();

function providerFor(kind: KindName): pulumi.dynamic.ResourceProvider {
  let provider = providers.get(kind);
  if (!provider) {
    provider = dynamicProvider(kind);
    providers.set(kind, provider);
  }
  return provider;
}

/** A Clerk setting group or object managed by Pulumi, typed `pulumi-nodejs:dynamic/clerkguard:<kind>`. */
export class ClerkResource extends pulumi.dynamic.Resource {
  readonly kind: KindName;

  constructor(kind: KindName, name: string, inputs: Record<string, pulumi.Input<unknown>>, opts: pulumi.CustomResourceOptions = {}) {
    const secrets = SECRET_KEYS[kind];
    const options: pulumi.CustomResourceOptions =
      secrets.length > 0 ? { ...opts, additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? []), ...secrets] } : opts;
    super(providerFor(kind), name, { ...inputs }, options, TYPE_MODULE, kind);
    this.kind = kind;
  }
}
