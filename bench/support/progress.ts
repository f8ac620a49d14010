/** Progress lines on stderr, `[name +seconds]`, so that stdout keeps only the summary. */
export function progressLog(name: string): (line: string) => void {
  const started = performance.now();
  return (line) => {
    const elapsed = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`[${name} +${elapsed}s] ${line}\n`);
  };
}
