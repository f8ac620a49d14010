// The benchmark's side of a benchmarked process: forked with an IPC channel, it says when it
// is ready, takes a memory mark just before the due instant, and reports memory when stopped.
import { type ChildProcess, fork } from 'node:child_process';
import type { MemoryReport } from './process-memory.ts';

export type ChildMessage =
  | { type: 'ready'; [detail: string]: unknown }
  | { type: 'stopped'; memory: MemoryReport; [detail: string]: unknown };

export type ParentMessage = { type: 'mark' } | { type: 'stop' } | { type: 'arm'; [detail: string]: unknown };

export interface BenchProcess {
  child: ChildProcess;
  send(message: ParentMessage): void;
  /** The next message of a type from the process. */
  next<Type extends ChildMessage['type'] | string>(type: Type): Promise<Record<string, unknown>>;
  /** Asks it to stop, and resolves with its memory report. */
  stop(): Promise<{ memory: MemoryReport } & Record<string, unknown>>;
}

export function forkBenchProcess(file: URL, env: NodeJS.ProcessEnv, execArgv: string[] = []): BenchProcess {
  const child = fork(file, [], {
    env,
    execArgv: ['--expose-gc', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<string, Array<(message: Record<string, unknown>) => void>>();
  const early = new Map<string, Record<string, unknown>[]>();
  let exited: Error | undefined;
  let lastProgress: Record<string, unknown> | undefined;
  child.on('message', (raw) => {
    const message = raw as Record<string, unknown> & { type: string };
    if (message.type === 'progress') {
      lastProgress = message;
      return;
    }
    const waiter = waiting.get(message.type)?.shift();
    if (waiter) waiter(message);
    else early.set(message.type, [...(early.get(message.type) ?? []), message]);
  });
  const failures: Array<(error: Error) => void> = [];
  child.on('exit', (code, signal) => {
    const progress = lastProgress ? `; last progress ${JSON.stringify({ ...lastProgress, type: undefined })}` : '';
    exited = new Error(`${file.pathname.split('/').at(-1)} exited (${code ?? signal})${progress}`);
    for (const fail of failures.splice(0)) fail(exited);
  });
  const next = (type: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const queued = early.get(type)?.shift();
      if (queued) return resolve(queued);
      if (exited) return reject(exited);
      waiting.set(type, [...(waiting.get(type) ?? []), resolve]);
      failures.push(reject);
    });
  return {
    child,
    send: (message) => child.send(message),
    next,
    async stop() {
      const stopped = next('stopped');
      child.send({ type: 'stop' });
      const report = (await stopped) as { memory: MemoryReport } & Record<string, unknown>;
      await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
      return report;
    },
  };
}

/** In the benchmarked process: the parent's messages. */
export function onParentMessage(handle: (message: ParentMessage) => void | Promise<void>): void {
  process.on('message', (message) => {
    Promise.resolve(handle(message as ParentMessage)).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
}

export function sendToParent(message: ChildMessage | Record<string, unknown>): void {
  process.send?.(message);
}
