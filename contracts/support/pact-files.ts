// Pact without a broker (see ../README.md). A consumer's tests write its pact to a
// scratch directory and require it to equal the file committed in contracts/; with
// HARU_UPDATE_PACTS=1 they rewrite the committed file instead. Providers' tests verify the
// committed files. So neither side waits for the other in a test run (files run in any
// order, in parallel), and a changed expectation shows up as a diff in review.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceName } from '@haru/dev-stack';
import { PactV4, Verifier, type VerifierOptions } from '@pact-foundation/pact';

export const contractsDir: string = fileURLToPath(new URL('..', import.meta.url));

/** Set to 1 to let consumer tests rewrite the committed pacts (then review the diff). */
export const updatePactsVariable = 'HARU_UPDATE_PACTS';

export const pactFile = (consumer: ServiceName, provider: ServiceName): string =>
  join(contractsDir, `${consumer}-${provider}.json`);

interface PactDocument {
  interactions: Array<{ description: string }>;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * What is compared and committed: the pact without the versions of the Pact libraries that
 * wrote it (an upgrade is not a change of contract), interactions ordered by description.
 */
function normalized(pact: PactDocument): PactDocument {
  const { 'pact-js': _js, pactRust: _rust, ...metadata } = pact.metadata ?? {};
  const interactions = [...pact.interactions].sort((a, b) => a.description.localeCompare(b.description));
  return { ...pact, interactions, metadata };
}

export interface ConsumerPact {
  /** Add interactions to this and run each one's test (`executeTest`). */
  pact: PactV4;
  /**
   * Compares the pact the interactions wrote with the committed one, or replaces the
   * committed one under HARU_UPDATE_PACTS=1. Run it after every interaction of the pact.
   */
  matchesCommittedPact(): Promise<void>;
}

/** The pact between a consumer and a provider, as the consumer's tests define it. */
export function consumerPact(consumer: ServiceName, provider: ServiceName): ConsumerPact {
  const scratch = mkdtempSync(join(tmpdir(), `haru-pact-${consumer}-${provider}-`));
  const pact = new PactV4({ consumer, provider, dir: scratch, logLevel: 'error' });
  return {
    pact,
    async matchesCommittedPact() {
      try {
        const written = normalized(JSON.parse(await readFile(join(scratch, `${consumer}-${provider}.json`), 'utf8')));
        const committedPath = pactFile(consumer, provider);
        if (process.env[updatePactsVariable] === '1') {
          // Written aside, then renamed: a provider's test reading it meanwhile sees a whole file.
          const aside = `${committedPath}.${process.pid}.tmp`;
          await writeFile(aside, `${JSON.stringify(written, null, 2)}\n`);
          await rename(aside, committedPath);
          return;
        }
        const committed = await readFile(committedPath, 'utf8').catch(() => undefined);
        assert.ok(
          committed,
          `${committedPath} is missing: run the ${consumer} pact tests with ${updatePactsVariable}=1`,
        );
        assert.deepEqual(
          written,
          JSON.parse(committed),
          `the ${consumer} service now expects something else of ${provider} than contracts/${consumer}-${provider}.json ` +
            `says: run its pact tests with ${updatePactsVariable}=1, review the difference and commit it`,
        );
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
  };
}

export type ProviderVerification = Omit<VerifierOptions, 'provider' | 'pactUrls'>;

/**
 * A request filter that replaces the example credential of a pact with the provider's own
 * (the service accepts nothing else); typed here because Pact types it with express's.
 */
export const presentingCredential =
  (header: string, credential: string) =>
  (request: { headers: Record<string, unknown> }, _response: unknown, next: () => void): void => {
    request.headers[header] = credential;
    next();
  };

/**
 * Verifies the committed pact of `consumer` against `provider` (its HTTP API at
 * `providerBaseUrl`, its events from `messageProviders`); rejects on any mismatch. With
 * `only`, just the interaction of that description is verified.
 */
export async function verifyPact(
  consumer: ServiceName,
  provider: ServiceName,
  verification: ProviderVerification,
  { only }: { only?: string } = {},
): Promise<void> {
  let pactUrl = pactFile(consumer, provider);
  let scratch: string | undefined;
  if (only) {
    const pact = JSON.parse(await readFile(pactUrl, 'utf8')) as PactDocument;
    const interactions = pact.interactions.filter((interaction) => interaction.description === only);
    assert.equal(interactions.length, 1, `no interaction "${only}" in ${pactUrl}`);
    scratch = await mkdtemp(join(tmpdir(), `haru-pact-${consumer}-${provider}-`));
    pactUrl = join(scratch, 'pact.json');
    await writeFile(pactUrl, JSON.stringify({ ...pact, interactions }));
  }
  try {
    await new Verifier({ provider, pactUrls: [pactUrl], logLevel: 'error', ...verification }).verifyProvider();
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
