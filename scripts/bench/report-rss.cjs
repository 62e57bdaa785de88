// Preloaded into a benchmarked CLI run (node -r): prints the process's peak RSS and CPU time at exit,
// and (Linux) the main thread's own CPU time: the rest is V8's helper threads (the optimizing
// compiler, parallel GC) and libuv's pool, which the process's CPU time counts too.
process.on('exit', () => {
  const usage = process.resourceUsage();
  let main = '';
  try {
    // schedstat's first field: nanoseconds this thread has run.
    const ns = Number(require('node:fs').readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
    if (Number.isFinite(ns)) main = ` main-cpu-us=${Math.round(ns / 1000)}`;
  } catch {
    // not Linux, or no schedstat: the total only
  }
  process.stderr.write(`\nclerkguard-bench-maxrss-kb=${usage.maxRSS} cpu-us=${usage.userCPUTime + usage.systemCPUTime}${main}\n`);
});
