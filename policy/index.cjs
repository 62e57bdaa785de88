// CrossGuard policy pack: the clerkguard checklist on the Clerk resources of a stack.
// The rules and the mapping of resource inputs back into the settings model are compiled
// TypeScript in ../dist/provider/policy.js (run `npm run build` in the repository first);
// this file only registers them with @pulumi/policy, which lives in policy/node_modules.
'use strict';
const path = require('path');
let PolicyPack;
try {
  ({ PolicyPack } = require('@pulumi/policy'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('@pulumi/policy')) {
    const missing = new Error(`clerkguard policy pack: @pulumi/policy is not installed beside it (hint: run \`npm ci --prefix ${__dirname}\`)`);
    missing.stack = '';
    throw missing;
  }
  throw error;
}

let checklist;
try {
  checklist = require(path.join(__dirname, '..', 'dist', 'provider', 'policy.js'));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND') {
    throw new Error('clerkguard policy pack: the compiled checklist is missing (../dist/provider/policy.js); run `npm run build` in the clerkguard repository', { cause: error });
  }
  throw error;
}

// One evaluation per stack analysis: every rule's policy reads the same result.
const evaluations = new WeakMap();
function evaluationFor(args) {
  let evaluation = evaluations.get(args.resources);
  if (!evaluation) {
    evaluation = checklist.evaluateStack(
      args.resources.map((resource) => ({ type: resource.type, name: resource.name, urn: resource.urn, props: resource.props || {} })),
    );
    evaluations.set(args.resources, evaluation);
  }
  return evaluation;
}

const policies = checklist.policyRules().map((rule) => ({
  name: rule.id,
  description: `[${rule.severity}] checklist item ${rule.checklist_item}: ${rule.title}`,
  enforcementLevel: checklist.enforcementFor(rule.severity),
  validateStack: (args, reportViolation) => {
    for (const violation of checklist.violationsFor(rule, evaluationFor(args))) {
      reportViolation(violation.message, violation.urn);
    }
  },
}));

new PolicyPack('clerkguard', { policies });
