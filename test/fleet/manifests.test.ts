/**
 * The fleet docs' GitHub Actions matrix workflow and Kubernetes manifests are real: the
 * workflow validates against GitHub's workflow schema (@action-validator/core), the manifests
 * against the Kubernetes 1.27 JSON Schema (kubernetes-models' generated validators), and the
 * shard counts agree with the matrix and with the Indexed Job's completions.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { PersistentVolumeClaim } from 'kubernetes-models/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { describe, expect, test } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../helpers/cli';

const text = readFileSync(path.join(REPO_ROOT, 'docs/fleet.md'), 'utf8');
const blocks = [...text.matchAll(/```ya?ml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const workflow = blocks.find((block) => /^on:/m.test(block) && /^jobs:/m.test(block))!;
const manifests = blocks.find((block) => /^apiVersion:/m.test(block))!;

const MODELS: Record<string, (data: unknown) => { validate(): void }> = {
  'v1/PersistentVolumeClaim': (data) => new PersistentVolumeClaim(data as ConstructorParameters<typeof PersistentVolumeClaim>[0]),
  'batch/v1/CronJob': (data) => new CronJob(data as ConstructorParameters<typeof CronJob>[0]),
};

function documents(source: string): { apiVersion: string; kind: string; [key: string]: unknown }[] {
  return parseAllDocuments(source).map((document) => document.toJS() as { apiVersion: string; kind: string });
}

function validate(document: { apiVersion: string; kind: string }): void {
  const model = MODELS[`${document.apiVersion}/${document.kind}`];
  if (!model) throw new Error(`no schema for ${document.apiVersion} ${document.kind}`);
  model(document).validate();
}

describe('docs/fleet.md', () => {
  test('the matrix workflow validates against the workflow schema', () => {
    expect(workflow).toBeDefined();
    expect(validateWorkflow(workflow).errors).toEqual([]);
  });

  test('the matrix runs one job per shard and passes each its shard of the same N', () => {
    const jobs = (parse(workflow) as { jobs: Record<string, { strategy: { matrix: { shard: number[] } }; steps: { with?: Record<string, string> }[] }> }).jobs;
    const job = jobs.drift!;
    const shards = job.strategy.matrix.shard;
    const shardInput = job.steps.find((step) => step.with?.shard)?.with?.shard;
    expect(shardInput).toBe(`\${{ matrix.shard }}/${shards.length}`);
    expect(shards).toEqual(Array.from({ length: shards.length }, (_, index) => index + 1));
  });

  test('the Kubernetes manifests validate against the Kubernetes JSON Schema', () => {
    const docs = documents(manifests);
    expect(docs.map((document) => `${document.apiVersion}/${document.kind}`)).toEqual(['v1/PersistentVolumeClaim', 'batch/v1/CronJob']);
    for (const document of docs) expect(() => validate(document)).not.toThrow();
  });

  test('the validator really checks: a field of the wrong type fails', () => {
    const [, cronJob] = documents(manifests);
    expect(() => validate({ ...cronJob!, spec: { ...(cronJob!.spec as object), schedule: 3 } } as never)).toThrow();
    const broken = documents(manifests.replace('completionMode: Indexed', 'completionMode: 7'))[1]!;
    expect(() => validate(broken)).toThrow();
  });

  test('the Indexed Job takes its shard from JOB_COMPLETION_INDEX, one pod per shard', () => {
    const cronJob = documents(manifests)[1] as unknown as {
      spec: { jobTemplate: { spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { containers: { args: string[] }[]; restartPolicy: string } } } } };
    };
    const job = cronJob.spec.jobTemplate.spec;
    expect(job.completionMode).toBe('Indexed');
    const args = job.template.spec.containers[0]!.args;
    expect(args[args.indexOf('--shard') + 1]).toBe(`job/${job.completions}`);
    expect(job.parallelism).toBe(job.completions);
    expect(args).toContain('--slack');
  });
});
