// Preloaded into every bench child (`node --import`): on exit, writes this process's CPU time
// (all threads: main, workers, libuv pool) and peak RSS to FERRY_BENCH_CPU_FILE.
import { writeFileSync } from 'node:fs';

const out = process.env.FERRY_BENCH_CPU_FILE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6, maxRssKiB: u.maxRSS }));
  });
  // Servers are stopped with SIGTERM; exit normally so the report is written.
  process.once('SIGTERM', () => process.exit(0));
}
