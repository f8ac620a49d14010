import { portIsFree } from './process-info.ts';

/**
 * Ports below the kernels' ephemeral ranges (Linux 32768–60999, macOS 49152–65535). A port
 * picked there cannot be handed to an outgoing connection (to PostgreSQL, to fauxqs, …)
 * between being picked and being listened on, which a port the kernel picks for port 0 can:
 * a service started half a minute later then finds it taken.
 */
const lowest = 20_000;
const highest = 32_767;

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, for parts that must know each
 * other's port before they start (the services' URLs) or cannot be given port 0 themselves
 * (PostgreSQL, the Firebase emulators).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lowest + Math.floor(Math.random() * (highest - lowest + 1));
    if (await portIsFree(port)) return port;
  }
  throw new Error(`no free port between ${lowest} and ${highest} on 127.0.0.1`);
}
