import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take minutes because they drive external programs (the pulumi CLI, Prism, npm pack,
 * the CLI spawned per case) go first, each to its own worker, longest first, so the rest of the
 * suite runs beside them instead of after them. The order of the others is vitest's own (slowest
 * known first).
 */
const LONG_FIRST = [
  'test/provider/e2e.test.ts',
  'test/provider/e2e-other-baselines.test.ts',
  'test/init/pulumi.test.ts',
  'test/cli/startup.test.ts',
  'test/contract/prism.test.ts',
  'test/package/pack.test.ts',
];

class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = LONG_FIRST.findIndex((name) => file.moduleId.replace(/\\/g, '/').endsWith(name));
      return index === -1 ? LONG_FIRST.length : index;
    };
    return sorted.map((file, position) => ({ file, position })).sort((a, b) => rank(a.file) - rank(b.file) || a.position - b.position).map(({ file }) => file);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CLI tests spawn bin/clerkguard, which runs the compiled dist/: `npm test` builds first, and
    // the global setup builds once when vitest runs alone after an edit (test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // Most files wait on processes and sockets (the CLI, the emulator, pulumi, git) rather than
    // compute. The three Pulumi files (about half of their time is waiting on the engine) take
    // three workers from the start; the fourth runs the rest of the suite beside them, and the
    // others join it as the Pulumi files end. Vitest's default (cores − 1) is one on a two-core
    // machine, which ran the suite file after file behind the multi-minute Pulumi run.
    maxWorkers: 4,
    // A worker runs file after file in one module graph: each file no longer starts a process of
    // its own and evaluates vitest, zod, the Clerk SDK and src/ again (≈ 0.4 s of CPU a file,
    // ≈ 35 s a run, measured with `/usr/bin/time` on the suite without the Pulumi files). So a
    // test file must leave process-wide state as it found it: environment variables, the working
    // directory, spies (vi.restoreAllMocks), servers and timers it started.
    isolate: false,
    // Environment variables a test sets with vi.stubEnv are restored after it.
    unstubEnvs: true,
    sequence: { sequencer: LongFirstSequencer },
  },
});
