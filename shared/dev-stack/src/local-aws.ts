import { mkdir } from 'node:fs/promises';
import { startFauxqs } from 'fauxqs';

export interface LocalAwsOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Keeps topics, queues and messages across restarts; in memory when absent. */
  dataDir?: string;
}

export interface LocalAws {
  /** The endpoint to give the AWS SDK (`AWS_ENDPOINT_URL`). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * SNS and SQS over their real wire protocols, in this process (fauxqs). Note that fauxqs
 * 2.x always listens on all interfaces; clients are pointed at 127.0.0.1.
 */
export async function startLocalAws({ port = 4566, dataDir }: LocalAwsOptions = {}): Promise<LocalAws> {
  if (dataDir) await mkdir(dataDir, { recursive: true });
  const server = await startFauxqs({ port, logger: false, ...(dataDir ? { dataDir } : {}) });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    stop: () => server.stop(),
  };
}
