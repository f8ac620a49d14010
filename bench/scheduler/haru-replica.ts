// One replica of the real scheduler service, as the benchmark runs it: its clock is shifted
// by BENCH_CLOCK_OFFSET_MS so that the due minute comes seconds after start, not at the
// next whole minute. Everything else is the service as deployed, configured by environment.
import { loadServiceConfig, startService } from '@haru/scheduler';
import { onParentMessage, sendToParent } from './bench-process.ts';
import { startMemorySampler } from './process-memory.ts';

const offsetMs = Number(process.env.BENCH_CLOCK_OFFSET_MS ?? 0);
const service = await startService(loadServiceConfig(), { now: () => new Date(Date.now() + offsetMs) });
const memory = startMemorySampler();
onParentMessage(async (message) => {
  if (message.type === 'mark') memory.mark();
  if (message.type === 'stop') {
    const report = memory.report();
    memory.stop();
    await service.stop();
    sendToParent({ type: 'stopped', memory: report });
    process.disconnect();
  }
});
sendToParent({ type: 'ready' });
