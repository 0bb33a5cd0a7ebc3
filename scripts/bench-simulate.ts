/**
 * Generation time and peak memory per scale: `npm run bench:simulate [-- small medium large]`.
 * Each scale runs in its own child process so its peak RSS is its own. Prints a Markdown table; CPU time (user +
 * system) is the steadier figure on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateIncident, type Scale } from '@salvage/simulator';

if (process.argv[2] === '--child') {
  const [, , , scale, out] = process.argv;
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const manifest = await generateIncident({ scale: scale as Scale, seed: 1 }, out!, { force: true });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const c = manifest.counts;
  process.stdout.write(
    `${JSON.stringify({ scale, seconds, cpuSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024, bookings: c.truth.bookings, evidenceItems: c.evidenceItems })}\n`,
  );
} else {
  const scales = (process.argv.slice(2).length ? process.argv.slice(2) : ['small', 'medium']) as Scale[];
  const rows: string[] = [];
  for (const scale of scales) {
    const out = mkdtempSync(join(tmpdir(), `salvage-bench-${scale}-`));
    try {
      const du = () => execFileSync('du', ['-sm', out], { encoding: 'utf8' }).split('\t')[0];
      const line = execFileSync(
        process.execPath,
        ['--import', 'tsx', import.meta.filename, '--child', scale, out],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          maxBuffer: 1 << 20,
        },
      );
      const r = JSON.parse(line.trim().split('\n').pop()!) as Record<string, number>;
      const row = `| ${scale} | ${r.bookings} | ${r.evidenceItems} | ${r.seconds!.toFixed(1)} s | ${r.cpuSeconds!.toFixed(1)} s | ${Math.round(r.peakRssMb!)} MB | ${du()} MB |`;
      rows.push(row);
      process.stderr.write(`${row}\n`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  process.stdout.write(
    `| scale | bookings (truth) | evidence items | wall time | CPU time | peak RSS | output |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n`,
  );
}
