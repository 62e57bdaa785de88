/**
 * The Pulumi dynamic providers. Pulumi serializes each provider object (its functions and
 * everything they capture) into the stack state and later runs that text in a separate
 * provider process. So these functions capture only two strings: the kind and the absolute
 * path of the compiled implementation module, which they `require` when called. No client, no
 * credential, no settings object is ever captured; credentials arrive through `configure`.
 */
import path from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { SECRET_KEYS, TYPE_MODULE, type KindName } from './kinds';
import type * as Implementation from './implementation';

/** The compiled module the serialized providers load (dist/provider/implementation.js). */
export const IMPLEMENTATION_MODULE = path.join(__dirname, 'implementation.js');

type ImplementationModule = typeof Implementation;

/**
 * Loads the implementation from the path recorded at serialization time; when the checkout
 * has moved since (state written elsewhere, e.g. by CI), from dist/ under the working
 * directory, which is the project directory for Pulumi.yaml runs. Serialized along with the
 * methods, so it may use nothing but its argument and `require`.
 */
function loadImplementation(modulePath: string): ImplementationModule {
  /* eslint-disable @typescript-eslint/no-require-imports */
  try {
    return require(modulePath) as ImplementationModule;
  } catch (error) {
    if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
    const { resolve } = require('node:path') as typeof import('node:path');
    return require(resolve('dist', 'provider', 'implementation.js')) as ImplementationModule;
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/**
 * A provider object for one kind. Exported for tests that serialize it and call the
 * deserialized copy directly.
 */
export function dynamicProvider(kind: KindName, implementationModule: string = IMPLEMENTATION_MODULE): pulumi.dynamic.ResourceProvider {
  const modulePath = implementationModule;
  // Loading inside each method (not at module scope) keeps the module out of the closure:
  // the serializer would otherwise inline the whole module graph into the state.
  const provider: pulumi.dynamic.ResourceProvider = {
    async configure(request) {
      loadImplementation(modulePath).configure(request.config);
    },
    async check(olds, news) {
      return loadImplementation(modulePath).check(kind, olds, news);
    },
    async diff(id, olds, news) {
      return loadImplementation(modulePath).diff(kind, id, olds, news);
    },
    async create(inputs) {
      return loadImplementation(modulePath).create(kind, inputs);
    },
    async read(id, props) {
      return loadImplementation(modulePath).read(kind, id, props);
    },
    async update(id, olds, news) {
      return loadImplementation(modulePath).update(kind, id, olds, news);
    },
    async delete(id, props) {
      return loadImplementation(modulePath).remove(kind, id, props);
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
