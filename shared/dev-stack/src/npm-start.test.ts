// `npm start` as a developer runs it: the real command, each stop a tool or a terminal
// sends, a SIGKILL mid-run, starting again, the operator commands with no settings, and
// the console in headless Chromium. Each stack gets a data directory and free ports of its
// own, so it collides neither with a stack someone runs on this machine nor with other tests.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { type LocalStackRecord, localStackFile, readLocalStack } from '@haru/config/local-stack';
import { openChromium, requireChromium, wallClockIn } from '@haru/testing';
import { eventually } from './eventually.ts';
import { isAlive, portIsFree } from './process-info.ts';
import { repoRoot, serviceNames, services } from './services.ts';

/** The variables the test run's global setup points at its own parts: a developer's shell has none. */
const testRunVariables = [
  'AWS_ENDPOINT_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  'FIREBASE_AUTH_EMULATOR_HOST',
  'FIREBASE_PROJECT_ID',
  'DATABASE_URL',
  'INTERNAL_API_TOKEN',
];
const cleanEnvironment = (extra: Record<string, string>) => {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const name of testRunVariables) delete environment[name];
  for (const name of Object.keys(environment)) if (name.startsWith('HARU_TEST_')) delete environment[name];
  return environment;
};
const freePorts = {
  HARU_POSTGRES_PORT: '0',
  HARU_FAUXQS_PORT: '0',
  HARU_AUTH_EMULATOR_PORT: '0',
  HARU_FCM_PORT: '0',
  CONSOLE_PORT: '0',
  HARU_GATEWAY_PORT: '0',
  HARU_ANSWER_PORT: '0',
  HARU_PROJECTION_PORT: '0',
  HARU_SCHEDULER_PORT: '0',
  HARU_NOTIFIER_PORT: '0',
};

let root = '';
let dataDir = '';

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'haru-npm-start-'));
  // As root, PostgreSQL runs as `postgres`, which must enter the data directory.
  await chmod(root, 0o755);
  dataDir = join(root, 'data');
});
after(async () => {
  await stopALeftStack();
  await rm(root, { recursive: true, force: true });
});
// A test that times out goes on running beside the next one; the stack it started must not.
afterEach(stopALeftStack);

/** Stops a stack a failed test left running: its launcher stops its parts, or the watchdog does. */
async function stopALeftStack() {
  const left = readLocalStack(dataDir);
  if (left && isAlive(left.launcherPid)) {
    process.kill(left.launcherPid, 'SIGKILL');
    await everythingStopped(left, 30_000).catch(() => {});
  }
}

interface Started {
  npm: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}
const started: Started[] = [];

function npm(args: string[], extra: Record<string, string> = {}): Started {
  const child = spawn('npm', args, {
    cwd: repoRoot,
    env: cleanEnvironment({ HARU_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...extra }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const run = { npm: child, output, exited };
  started.push(run);
  return run;
}

/** `npm start` with every port free-picked; resolves once its record says it is ready. */
async function npmStart(): Promise<{ run: Started; stack: LocalStackRecord }> {
  const spawnedAt = new Date().toISOString();
  const run = npm(['start'], freePorts);
  let gone = false;
  void run.exited.then(() => {
    gone = true;
  });
  const stack = await eventually(
    () => {
      if (gone) throw new Error(`npm start exited:\n${run.output.join('')}`);
      const record = readLocalStack(dataDir);
      return record?.ready && record.startedAt >= spawnedAt ? record : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 100, message: 'npm start ready' },
  ).catch((error: unknown) => {
    run.npm.kill('SIGKILL');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${run.output.join('')}`);
  });
  return { run, stack };
}

/**
 * Every process the stack started, its launcher included, and each of its ports let go. A port
 * counts as let go once it is seen free: a test running beside this one may take it right after.
 */
async function everythingStopped(stack: LocalStackRecord, timeoutMs: number) {
  const pids = [stack.launcherPid, ...stack.processes.map((entry) => entry.pid)];
  const ports = Object.values(stack.urls).map((url) => Number(new URL(url).port));
  const letGo = new Set<number>();
  await eventually(
    async () => {
      for (const port of ports) if (!letGo.has(port) && (await portIsFree(port))) letGo.add(port);
      const alive = stack.processes.filter((entry) => isAlive(entry.pid)).map((entry) => entry.label);
      if (isAlive(stack.launcherPid)) alive.push('launcher');
      assert.deepEqual(alive, [], 'still running');
      assert.deepEqual(
        ports.filter((port) => !letGo.has(port)),
        [],
        'ports still held',
      );
      return true;
    },
    { timeoutMs, intervalMs: 50, message: `every part of the stack (pids ${pids.join(', ')}) stopped` },
  );
}

async function stopsWithin5s(signal: NodeJS.Signals, whileRunning: (stack: LocalStackRecord) => void = () => {}) {
  const { run, stack } = await npmStart();
  whileRunning(stack);

  const sentAt = Date.now();
  run.npm.kill(signal);

  await everythingStopped(stack, 5_000);
  assert.ok(Date.now() - sentAt <= 5_000);
  assert.ok(!existsSync(localStackFile(dataDir)), 'the record is removed');
  await run.exited;
}

describe('npm start', { concurrency: false }, () => {
  it('when a port it needs is held, then it refuses in one line naming the holder and how to free it', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const run = npm(['start', '--silent'], { ...freePorts, HARU_GATEWAY_PORT: String(port) });

      assert.notEqual(await run.exited, 0);
      const lines = run.output.join('').trim().split('\n');
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0] ?? '', new RegExp(`port ${port} \\(gateway\\) is held by pid ${process.pid}`));
      assert.match(lines[0] ?? '', /kill .*HARU_GATEWAY_PORT=0/);
    } finally {
      holder.close();
    }
  });

  it('when a setting is malformed, then it says so in one line', async () => {
    const run = npm(['start', '--silent'], { ...freePorts, CONSOLE_PORT: 'eighty' });

    assert.equal(await run.exited, 2);
    const lines = run.output.join('').trim().split('\n');
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0] ?? '', /CONSOLE_PORT/);
  });

  it('when HARU_DATA_DIR cannot be a directory (under a file, under /proc), then it says so in one line', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, '');
    // Under /proc Node's own recursive mkdir would never return.
    for (const where of [join(file, 'data'), '/proc/haru-no-such-process/data']) {
      const run = npm(['start', '--silent'], { ...freePorts, HARU_DATA_DIR: where });

      assert.equal(await run.exited, 2, where);
      const lines = run.output.join('').trim().split('\n');
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0] ?? '', new RegExp(`HARU_DATA_DIR: ${where} cannot be made a directory`));
    }
  });

  it('when operator commands run with no settings and no stack, then each says so in one line', async () => {
    for (const args of [
      ['run', '--silent', 'projection:verify'],
      ['run', '--silent', 'dlq', '--', 'list'],
      ['run', '--silent', 'explain', '--', 'family', randomUUID()],
    ]) {
      const run = npm(args);

      assert.equal(await run.exited, 2, args.join(' '));
      const lines = run.output.join('').trim().split('\n');
      assert.equal(lines.length, 1, lines.join('\n'));
      assert.match(lines[0] ?? '', /no local stack is running \(start one with `npm start`\)/);
    }
  });

  it('when it runs, then each service runs at its nice value (the notifier yields); sent SIGINT, every part stops within 5 s', () =>
    stopsWithin5s('SIGINT', (stack) => {
      const nice = Object.fromEntries(
        serviceNames.map((name) => [
          name,
          getPriority(stack.processes.find((process) => process.label === name)?.pid ?? -1),
        ]),
      );
      assert.deepEqual(nice, Object.fromEntries(serviceNames.map((name) => [name, services[name].nice])));
    }));

  // Two starts (each given 120 s) and a push up to 100 s away (given 150 s): the suite's 180 s
  // are less than its own waits' deadlines, and ran out on a machine busy with a benchmark.
  it('when the launcher is killed with SIGKILL mid-run, then its parts stop, and the next start lives through a day', {
    timeout: 480_000,
  }, async () => {
    // Said before a minute of the day is spent, rather than by Playwright at its end.
    requireChromium("the console's check");
    const first = await npmStart();
    const family = await createFamily(first.stack);

    process.kill(first.stack.launcherPid, 'SIGKILL');
    // Its node processes notice their parent is gone; the watchdog then stops PostgreSQL.
    await everythingStopped(first.stack, 20_000);

    const { run, stack } = await npmStart();
    // A second start on the same data directory refuses in one line.
    const second = npm(['start', '--silent'], freePorts);
    assert.equal(await second.exited, 1);
    assert.match(
      second.output.join('').trim(),
      /^haru is already running from .* \(pid \d+, gateway http:\/\/127\.0\.0\.1:\d+\): use that one, or stop it with `kill \d+`/,
    );
    assert.equal(second.output.join('').trim().split('\n').length, 1);

    try {
      const push = await liveTheDay(stack, family);
      await theConsoleShowsTheDay(stack, family, push);
      await theToolsFindTheStack(family);
    } finally {
      run.npm.kill('SIGTERM');
      await everythingStopped(stack, 5_000);
    }
  });

  it('when npm is sent SIGHUP (its terminal closed), then every part stops within 5 s', () => stopsWithin5s('SIGHUP'));
});

interface Family {
  familyId: string;
  idToken: string;
  device: string;
}

async function signUp(stack: LocalStackRecord): Promise<{ idToken: string }> {
  const response = await fetch(
    `${stack.urls.authEmulator}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=local`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${randomUUID()}@haru.test`, password: randomUUID(), returnSecureToken: true }),
    },
  );
  assert.equal(response.status, 200);
  return (await response.json()) as { idToken: string };
}

async function call(stack: LocalStackRecord, idToken: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${stack.urls.gateway}${path}`, {
    method,
    headers: { authorization: `Bearer ${idToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** A family whose push time is in a minute or two, with one device. */
async function createFamily(stack: LocalStackRecord): Promise<Family> {
  const { idToken } = await signUp(stack);
  const created = await call(stack, idToken, 'POST', '/v1/families', {
    name: 'Kims',
    timezone: 'Asia/Seoul',
    // The minute 100 s from now (its push 40–100 s away): a day whose push falls while the stack restarts.
    pushTime: wallClockIn('Asia/Seoul', 100_000),
    quietHours: null,
    member: { role: 'parent', displayName: 'Mom', locale: 'en' },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const device = `npm-start-${randomUUID()}`;
  assert.equal((await call(stack, idToken, 'PUT', `/v1/me/devices/${device}`, { platform: 'android' })).status, 204);
  return { familyId: created.body.familyId, idToken, device };
}

/** At the push time (or at once, caught up, if it passed while the stack was down) the question reaches the device. */
async function liveTheDay(stack: LocalStackRecord, family: Family): Promise<PushedMessage> {
  return await eventually(
    async () => {
      const { messages } = (await (await fetch(`${stack.urls.fcm}/messages`)).json()) as {
        messages: { message: PushedMessage }[];
      };
      return messages.find(
        ({ message }) =>
          message.token === family.device &&
          message.data?.kind === 'question' &&
          message.data.familyId === family.familyId,
      );
    },
    { timeoutMs: 150_000, intervalMs: 250, message: "today's question pushed to the family's device" },
  ).then(({ message }) => message);
}

interface PushedMessage {
  token?: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
}

async function theConsoleShowsTheDay(stack: LocalStackRecord, family: Family, pushed: PushedMessage) {
  const browser = await openChromium();
  try {
    const page = await browser.newPage();
    await page.goto(stack.urls.console ?? '');

    const phone = page.locator(`section.phone[data-token="${family.device}"]`);
    const push = phone.locator('.push[data-kind="question"]');
    assert.equal(await push.count(), 1);
    const shown = (await push.textContent()) ?? '';
    assert.ok(shown.includes(pushed.notification?.title ?? '(no title)'), shown);
    assert.ok(shown.includes(pushed.notification?.body ?? '(no body)'), shown);
    assert.match(shown, /question · \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ · collapse [0-9a-f-]{36}/);
    const notifierDeadLetters = page.locator('#dead-letters + table tr', { hasText: 'haru-events-notifier-dlq' });
    assert.equal(await notifierDeadLetters.locator('td').nth(1).textContent(), '0');
    if (process.env.HARU_CONSOLE_SCREENSHOT) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: process.env.HARU_CONSOLE_SCREENSHOT, fullPage: false });
    }

    await page.locator(`a[href="/families/${family.familyId}"]`).first().click();
    assert.match(
      (await page.locator('#explanation').textContent()) ?? '',
      /today's question \(notification [0-9a-f-]{36}\) reached FCM for 1 of 1 devices/,
    );
    const rows = await page.locator('#timeline tr td:nth-child(3)').allTextContents();
    const order = ['FamilyCreated', 'question fired', 'QuestionOpened', 'question notification', 'delivery sent'];
    const positions = order.map((what) => rows.indexOf(what));
    assert.ok(
      positions.every((position, index) => position >= 0 && position > (positions[index - 1] ?? -1)),
      `the timeline has ${order.join(', ')} in that order:\n${rows.join('\n')}`,
    );
  } finally {
    await browser.close();
  }
}

/** With nothing but where the stack lives (its data directory), the operator commands find it. */
async function theToolsFindTheStack(family: Family) {
  const verify = npm(['run', '--silent', 'projection:verify']);
  assert.equal(await verify.exited, 0, verify.output.join(''));
  assert.match(verify.output.join(''), /the completion model matches a replay of \d+ events/);

  const dlq = npm(['run', '--silent', 'dlq', '--', 'list']);
  assert.equal(await dlq.exited, 0, dlq.output.join(''));
  assert.match(dlq.output.join(''), /haru-events-answer-dlq\s+0\s+haru-events-answer/);

  const explain = npm(['run', '--silent', 'explain', '--', 'family', family.familyId]);
  assert.equal(await explain.exited, 0, explain.output.join(''));
  assert.match(explain.output.join(''), /reached FCM for 1 of 1 devices/);
  assert.match(explain.output.join(''), /scheduler\s+question fired/);
}
