import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from './free-port.ts';
import { exitWithParent, launchProcess } from './launch-process.ts';
import { waitUntilServing } from './wait-until-serving.ts';

export interface AuthEmulatorOptions {
  /** 0 picks a free port. */
  port?: number;
  projectId?: string;
  /** Holds the emulator's firebase.json. */
  workDir: string;
  /** Receives the emulator's output lines; by default they are only kept for error messages. */
  output?: (line: string) => void;
  /**
   * How long it may take to answer. An emulator that exits fails the start at once; one still
   * starting is waited for: firebase-tools loads for seconds on a quiet machine and took over a
   * minute with two cores under a load of 12.
   */
  startTimeoutMs?: number;
}

export interface AuthEmulator {
  /** What `FIREBASE_AUTH_EMULATOR_HOST` is set to: `127.0.0.1:PORT`. */
  host: string;
  projectId: string;
  /** The emulator process, leader of its process group. */
  pid: number;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Start-ups tried while each fails on a port taken. The hub's and the logging emulator's
 * ports (and the emulator's own, for port 0) are picked free here but bound by the CLI
 * seconds later, once it has loaded: a process starting beside it, such as another test's
 * stack, can take one in between.
 */
const startAttempts = 3;

/**
 * The Firebase Auth emulator from firebase-tools, whose ID tokens firebase-admin verifies
 * when FIREBASE_AUTH_EMULATOR_HOST is set. Its Emulator UI stays off (it would be
 * downloaded), as do the CLI's update check and message-of-the-day fetch, so it starts
 * without the internet.
 */
export async function startAuthEmulator(options: AuthEmulatorOptions): Promise<AuthEmulator> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      const portTaken = error instanceof Error && /port taken/i.test(error.message);
      if (!portTaken || attempt === startAttempts) throw error;
    }
  }
}

async function startOnce({
  port = 9099,
  projectId = 'demo-haru',
  workDir,
  output = () => {},
  startTimeoutMs = 180_000,
}: AuthEmulatorOptions): Promise<AuthEmulator> {
  const authPort = port || (await freePort());
  const [hubPort, loggingPort] = [await freePort(), await freePort()];
  const config = {
    emulators: {
      auth: { host: '127.0.0.1', port: authPort },
      ui: { enabled: false },
      hub: { host: '127.0.0.1', port: hubPort },
      logging: { host: '127.0.0.1', port: loggingPort },
      singleProjectMode: true,
    },
  };
  await mkdir(workDir, { recursive: true });
  await writeFile(join(workDir, 'firebase.json'), `${JSON.stringify(config, null, 2)}\n`);

  const emulator = launchProcess(
    process.execPath,
    [
      ...exitWithParent,
      firebaseCli(),
      'emulators:start',
      '--only',
      'auth',
      '--project',
      projectId,
      '--non-interactive',
    ],
    {
      label: 'auth-emulator',
      cwd: workDir,
      // CI skips the message-of-the-day fetch, NO_UPDATE_NOTIFIER the update check. The CLI
      // announces its emulators in TMPDIR/hub-<project>.json, shared by every emulator of the
      // project on the machine; a TMPDIR of its own keeps parallel emulators apart.
      env: { CI: 'true', NO_UPDATE_NOTIFIER: '1', TMPDIR: workDir, FIREBASE_AUTH_EMULATOR_HOST: undefined },
      output,
    },
  );
  const host = `127.0.0.1:${authPort}`;
  await waitUntilServing(emulator, `http://${host}/`, { timeoutMs: startTimeoutMs, intervalMs: 100 }).catch(
    async (error: unknown) => {
      await emulator.kill();
      throw error;
    },
  );
  return {
    host,
    projectId,
    pid: emulator.pid,
    async stop(timeoutMs) {
      await emulator.stop(timeoutMs);
    },
  };
}

export function firebaseCli(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('firebase-tools/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { firebase: string } };
  return join(dirname(manifestPath), manifest.bin.firebase);
}
