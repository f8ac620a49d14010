import { rename, rm, writeFile } from 'node:fs/promises';
import { type LocalStackRecord, localStackFile, readLocalStack } from '@haru/config/local-stack';

/** Writes the record whole (a reader never sees half of it), readable by its owner only. */
export async function writeStackRecord(dataDir: string, record: LocalStackRecord): Promise<void> {
  const file = localStackFile(dataDir);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, file);
}

/** Removes the record if it is still the one of the stack launched by `launcherPid`. */
export async function removeStackRecord(dataDir: string, launcherPid: number): Promise<void> {
  if (readLocalStack(dataDir)?.launcherPid === launcherPid) await rm(localStackFile(dataDir), { force: true });
}
