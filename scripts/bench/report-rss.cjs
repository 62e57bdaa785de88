// Preloaded into a benchmarked CLI run (node -r): prints the process's peak RSS at exit.
process.on('exit', () => {
  process.stderr.write(`\nclerkguard-bench-maxrss-kb=${process.resourceUsage().maxRSS}\n`);
});
