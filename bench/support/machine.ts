import { cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface Machine {
  cpus: number;
  cpu: string;
  memoryGiB: number;
  os: string;
  node: string;
  /** 1-minute load average when the benchmark started: other work on the machine shows here. */
  loadAverageAtStart: number;
}

/** What the figures were measured on. */
export function describeMachine(): Machine {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverageAtStart: oneMinuteLoad(),
  };
}

export const oneMinuteLoad = (): number => Math.round((loadavg()[0] ?? 0) * 100) / 100;
