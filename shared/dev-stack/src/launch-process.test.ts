import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { eventually } from './eventually.ts';
import { launchProcess } from './launch-process.ts';

const node = (script: string, env: Record<string, string | undefined> = {}, output = (_line: string) => {}) =>
  launchProcess(process.execPath, ['-e', script], { label: 'probe', env, output });

it('when the process writes lines, then each reaches the output and the recent output', async () => {
  const lines: string[] = [];

  const probe = node(
    "console.log('one'); console.error('two'); console.log(process.env.PROBE_VALUE)",
    { PROBE_VALUE: 'three' },
    (line) => lines.push(line),
  );

  assert.deepEqual(await probe.exited, { code: 0, signal: null });
  assert.deepEqual([...lines].sort(), ['one', 'three', 'two']);
  assert.deepEqual([...probe.recentOutput()].sort(), ['one', 'three', 'two']);
});

it('when a process is launched at a nice value, then it and the threads it starts run at it, and so does its autogroup where there are autogroups', async () => {
  const lines: string[] = [];
  const probe = launchProcess(
    process.execPath,
    [
      '-e',
      `const { existsSync, readFileSync } = require('node:fs');
       const { getPriority } = require('node:os');
       const { Worker } = require('node:worker_threads');
       console.log('process', getPriority());
       if (existsSync('/proc/self/autogroup')) console.log('autogroup', readFileSync('/proc/self/autogroup', 'utf8').trim().split(' ').at(-1));
       new Worker("require('node:worker_threads').parentPort.postMessage(require('node:os').getPriority())", { eval: true })
         .on('message', (nice) => { console.log('thread', nice); process.exit(0); });`,
    ],
    { label: 'probe', nice: 7, output: (line) => lines.push(line) },
  );

  assert.deepEqual(await probe.exited, { code: 0, signal: null });
  const autogroups = existsSync('/proc/self/autogroup') ? ['autogroup 7'] : [];
  assert.deepEqual(lines.sort(), [...autogroups, 'process 7', 'thread 7']);
});

it('when a variable is given as undefined, then the process does not inherit it', async () => {
  process.env.HARU_PROBE_INHERITED = 'inherited';
  const lines: string[] = [];

  const probe = node(
    'console.log(String(process.env.HARU_PROBE_INHERITED))',
    { HARU_PROBE_INHERITED: undefined },
    (line) => lines.push(line),
  );
  await probe.exited;
  delete process.env.HARU_PROBE_INHERITED;

  assert.deepEqual(lines, ['undefined']);
});

it('when a running process is stopped, then it gets SIGTERM and the stop awaits its exit', async () => {
  const probe = node(
    "process.on('SIGTERM', () => { console.log('draining'); process.exit(0); }); console.log('up'); setInterval(() => {}, 1000);",
  );
  await eventually(() => probe.recentOutput().includes('up'));

  const status = await probe.stop();

  assert.deepEqual(status, { code: 0, signal: null });
  assert.ok(probe.recentOutput().includes('draining'));
});

it('when a process ignores SIGTERM, then stop kills it at the deadline', async () => {
  const probe = node("process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);");
  await eventually(() => probe.recentOutput().includes('up'));

  const status = await probe.stop(200);

  assert.equal(status.signal, 'SIGKILL');
});

it('when a process is killed, then it ends by SIGKILL without a chance to drain', async () => {
  const probe = node(
    "process.on('SIGTERM', () => console.log('draining')); console.log('up'); setInterval(() => {}, 1000);",
  );
  await eventually(() => probe.recentOutput().includes('up'));

  const status = await probe.kill();

  assert.equal(status.signal, 'SIGKILL');
  assert.ok(!probe.recentOutput().includes('draining'));
});
