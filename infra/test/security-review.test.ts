import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '@haru/dev-stack';
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { createApp } from '../src/app.ts';

// cdk-nag's AWS Solutions checks run on every synthesis of the app (app.ts); here the app is
// synthesized as `cdk synth` would, and must pass with each finding fixed or acknowledged.
const outdirs: string[] = [];
const synthesize = (change?: (stack: ReturnType<typeof createApp>['stack']) => void) => {
  const outdir = mkdtempSync(join(tmpdir(), 'haru-nag-'));
  outdirs.push(outdir);
  const { app, stack } = createApp({ firebaseProjectId: 'haru-test' }, outdir);
  change?.(stack);
  return { synth: () => app.synth(), stack, outdir };
};
after(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

/** Rule id → reasons, from the acknowledgments the constructs carry. */
function acknowledgments(stack: ReturnType<typeof createApp>['stack']): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        if (!id.startsWith('AwsSolutions::')) continue;
        found.set(id, (found.get(id) ?? new Set()).add(reason));
      }
    }
  }
  return found;
}

describe('the security review (cdk-nag AwsSolutionsChecks)', () => {
  it('when the app is synthesized, then no finding, error or warning, is left unfixed or unacknowledged', () => {
    const { synth, outdir } = synthesize();
    assert.doesNotThrow(synth);
    // Warnings do not stop synthesis; the report has them all.
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; severity: string }> }>;
    };
    const nag = report.pluginReports.find((plugin) => plugin.pluginName === 'AwsSolutions');
    assert.ok(nag, 'the AwsSolutions checks ran');
    assert.deepEqual(
      nag.violations.map((violation) => `${violation.severity} ${violation.ruleName}`),
      [],
    );
  });

  it('when a wildcard permission is added without a reason, then synthesis fails naming the rule', () => {
    const { synth, outdir } = synthesize((stack) => {
      new iam.Role(stack, 'Careless', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') }).addToPolicy(
        new iam.PolicyStatement({ actions: ['sqs:*'], resources: ['*'] }),
      );
    });
    assert.throws(synth, /Validation failed/);
    const report = readFileSync(join(outdir, 'validation-report.json'), 'utf8');
    assert.match(report, /AwsSolutions-IAM5\[Action::sqs:\*\]/);
    assert.match(report, /Haru\/Careless/);
  });

  it('when a finding is acknowledged, then with a reason of its own, and docs/security.md lists it', () => {
    const { stack } = synthesize();
    const security = readFileSync(join(repoRoot, 'docs/security.md'), 'utf8');
    const found = acknowledgments(stack);
    assert.ok(found.size >= 6);
    for (const [id, reasons] of found) {
      const rule = /AwsSolutions-[A-Z]+\d+/.exec(id)?.[0] ?? id;
      assert.ok(security.includes(rule), `docs/security.md does not list ${rule}`);
      for (const reason of reasons) assert.ok(reason.length > 60, `${id}: “${reason}” is no reason`);
    }
  });
});
