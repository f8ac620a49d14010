import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { describeFailure } from './run-command.ts';

describe('describeFailure', () => {
  it("when Node's connection to a name with two addresses fails, then both addresses' failures are said once each", () => {
    const refused = (address: string) =>
      Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
    const failure = new AggregateError([refused('::1:5432'), refused('127.0.0.1:5432'), refused('::1:5432')]);
    assert.equal(describeFailure(failure), 'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('when the AWS SDK finds no credentials, then it says which settings provide them', () => {
    const failure = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    assert.equal(
      describeFailure(failure),
      'no AWS credentials found (Could not load credentials from any providers): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  });

  it('when an error has its own sentence, then that sentence is the line', () => {
    assert.equal(describeFailure(new Error('topic haru-events not found')), 'topic haru-events not found');
    assert.equal(describeFailure('a string thrown'), 'a string thrown');
  });
});

/** Runs `body` (an ES module's text, with `config` the @haru/config package) as a command; its exit code and stderr lines. */
function runAsCommand(body: string, { args = [], env = {} }: { args?: string[]; env?: Record<string, string> } = {}) {
  const script = `const config = await import(${JSON.stringify(new URL('./index.ts', import.meta.url).href)});\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  });
  return { code: result.status, lines: result.stderr.trim().split('\n') };
}

describe('runCommand', () => {
  it('when the command fails, then it prints one line naming the command and exits 1', () => {
    const failed = runAsCommand(
      `await config.runCommand('tool', async () => { throw new Error('the disk is full'); });`,
    );
    assert.deepEqual(failed, { code: 1, lines: ['tool: the disk is full'] });
  });

  it('when a setting is wrong, then it exits 2', () => {
    const failed = runAsCommand(
      `await config.runCommand('tool', async () => { throw new config.ConfigError('PORT must be a number'); });`,
    );
    assert.deepEqual(failed, { code: 2, lines: ['tool: PORT must be a number'] });
  });

  it('when LOG_LEVEL is debug, then the stack follows the line', () => {
    const failed = runAsCommand(
      `await config.runCommand('tool', async () => { throw new Error('the disk is full'); });`,
      {
        env: { LOG_LEVEL: 'debug' },
      },
    );
    assert.equal(failed.code, 1);
    assert.equal(failed.lines[0], 'tool: the disk is full');
    assert.match(failed.lines[1] ?? '', /^Error: the disk is full/);
    assert.match(failed.lines[2] ?? '', /^\s+at /);
  });

  it('when the command resolves to a number, then that is its exit code', () => {
    assert.equal(runAsCommand(`await config.runCommand('tool', async () => 3);`).code, 3);
  });
});

describe('commandLine', () => {
  const parse = `const { values } = config.commandLine('tool', { options: { limit: { type: 'string' } } }, 'usage: tool [--limit N]');
console.error(JSON.stringify(values));`;

  it('when an option is unknown, then it says which with the usage and exits 2', () => {
    const failed = runAsCommand(parse, { args: ['--bogus'] });
    assert.equal(failed.code, 2);
    assert.match(failed.lines[0] ?? '', /^tool: Unknown option '--bogus'/);
    assert.equal(failed.lines.at(-1), 'usage: tool [--limit N]');
  });

  it('when the options are known, then they are read', () => {
    assert.deepEqual(runAsCommand(parse, { args: ['--limit', '5'] }), { code: 0, lines: ['{"limit":"5"}'] });
  });
});

describe('wholeNumberOption', () => {
  const read = `const { values } = config.commandLine('tool', { options: { rounds: { type: 'string' } } });
console.error(config.wholeNumberOption('tool', 'rounds', values.rounds, { fallback: 5 }));`;

  it('when the option is a whole number, then it is that number; when it is not given, the fallback', () => {
    assert.deepEqual(runAsCommand(read, { args: ['--rounds', '12'] }), { code: 0, lines: ['12'] });
    assert.deepEqual(runAsCommand(read), { code: 0, lines: ['5'] });
  });

  it('when the option is not a whole number of at least its least, then it says so in one line and exits 2', () => {
    for (const text of ['abc', '1.5', '0', '-3', '']) {
      assert.deepEqual(
        runAsCommand(read, { args: [`--rounds=${text}`] }),
        { code: 2, lines: [`tool: --rounds must be a whole number of at least 1, not ${text || 'nothing'}`] },
        text,
      );
    }
  });
});
