import { launchProcess, repoRoot } from '@haru/dev-stack';

/**
 * The projection's `verify` as an operator runs it (`projection-cli.ts verify`): its read
 * model against a replay of the answer service's events, with the projection's variables
 * (`projectionEnv`) and the answer service it replays from. Exit code 0 when they match, 1
 * with the rows that differ in its output.
 */
export async function verifyProjection(
  projectionEnv: NodeJS.ProcessEnv,
  answerUrl: string,
): Promise<{ code: number | null; output: string }> {
  const verify = launchProcess(process.execPath, ['services/projection/src/replay/projection-cli.ts', 'verify'], {
    label: 'projection:verify',
    cwd: repoRoot,
    env: { ...projectionEnv, ANSWER_URL: answerUrl },
    output: () => {},
  });
  const { code } = await verify.exited;
  return { code, output: verify.recentOutput().join('\n') };
}
