// Preloaded (`node --import`) into the node processes `npm start` launches, so that none
// outlives it: each runs in a process group of its own (a Ctrl-C reaches only the launcher,
// which stops the parts in order), so nothing else would tell it that the launcher is gone,
// e.g. after a SIGKILL. When its parent changes, the process stops itself as if asked to
// (SIGTERM: the services drain first).
const parent = process.ppid;

const watch = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(watch);
  // The launcher read this process's output: with it gone, writes would fail with EPIPE.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
  process.kill(process.pid, 'SIGTERM');
}, 250);
watch.unref();
