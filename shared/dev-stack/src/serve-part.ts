// One local stand-in for a cloud part, served on every interface of its container (see
// docker-compose.yml), until SIGTERM or SIGINT:
//   node shared/dev-stack/src/serve-part.ts auth-emulator   Firebase Auth emulator (PORT, default 9099)
//   node shared/dev-stack/src/serve-part.ts fcm-endpoint    local FCM v1 endpoint (PORT, default 4010)
// Imports stay within this package's light modules: the image that runs this has
// firebase-tools installed, but not PostgreSQL or fauxqs.
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startFcmEndpoint } from './fcm-endpoint.ts';
import { launchProcess } from './launch-process.ts';

const part = process.argv[2];
const port = (fallback: number) => Number(process.env.PORT ?? fallback);

const stopOnSignal = (stop: () => Promise<unknown>) => {
  const shutdown = () => {
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
};

switch (part) {
  case 'fcm-endpoint': {
    const endpoint = await startFcmEndpoint({ host: '0.0.0.0', port: port(4010) });
    console.log(`local FCM endpoint listening on port ${endpoint.port}`);
    stopOnSignal(() => endpoint.stop());
    break;
  }
  case 'auth-emulator':
    await serveAuthEmulator();
    break;
  default:
    console.error('usage: serve-part.ts auth-emulator|fcm-endpoint');
    process.exit(2);
}

/** As startAuthEmulator does, but listening on every interface, so other containers reach it. */
async function serveAuthEmulator() {
  const projectId = process.env.FIREBASE_PROJECT_ID ?? 'demo-haru';
  const workDir = await mkdtemp(join(tmpdir(), 'haru-auth-emulator-'));
  const config = {
    emulators: { auth: { host: '0.0.0.0', port: port(9099) }, ui: { enabled: false }, singleProjectMode: true },
  };
  await writeFile(join(workDir, 'firebase.json'), `${JSON.stringify(config, null, 2)}\n`);
  const emulator = launchProcess(
    process.execPath,
    [firebaseCli(), 'emulators:start', '--only', 'auth', '--project', projectId, '--non-interactive'],
    {
      label: 'auth-emulator',
      cwd: workDir,
      env: { CI: 'true', NO_UPDATE_NOTIFIER: '1', TMPDIR: workDir },
      output: (line) => console.log(line),
    },
  );
  stopOnSignal(() => emulator.stop());
  // The container lives as long as the emulator does.
  const status = await emulator.exited;
  process.exit(status.code ?? 1);
}

function firebaseCli(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('firebase-tools/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { firebase: string } };
  return join(dirname(manifestPath), manifest.bin.firebase);
}
