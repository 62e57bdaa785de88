// Preloaded into a benchmarked CLI run (node -r): prints the process's peak RSS and CPU time at exit.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(`\nclerkguard-bench-maxrss-kb=${usage.maxRSS} cpu-us=${usage.userCPUTime + usage.systemCPUTime}\n`);
});
