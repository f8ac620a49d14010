import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchRoot: string = fileURLToPath(new URL('../', import.meta.url));
export const resultsDir: string = join(benchRoot, 'results');

export const resultsFile = (name: string): string => join(resultsDir, `${name}.json`);

/**
 * Writes a benchmark's results to bench/results/<name>.json, formatted as the repository's
 * linter wants it, so that a run leaves `npm run lint` clean.
 */
export async function writeResults(name: string, results: object): Promise<string> {
  const file = resultsFile(name);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  formatJson(file);
  return file;
}

export function formatJson(...files: string[]): void {
  try {
    const biome = createRequire(import.meta.url).resolve('@biomejs/biome/bin/biome');
    execFileSync(process.execPath, [biome, 'format', '--write', ...files], { stdio: 'ignore' });
  } catch {
    // Formatting is a courtesy to the linter; the figures are written either way.
  }
}
