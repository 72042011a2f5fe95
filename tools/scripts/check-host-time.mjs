#!/usr/bin/env node
// Determinism guard: device, bus, CPU and vmstate sources must not read the host clock or use
// host timers; time comes only from the virtual clock. A line that must (e.g. an RTC reading
// the host time once, as its documented default start time) carries `host-time-ok: <reason>`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const FORBIDDEN = /\b(Date\.now\s*\(|new Date\s*\(\s*\)|performance\.now\s*\(|process\.hrtime|setTimeout\s*\(|setInterval\s*\(|setImmediate\s*\()/;
const scanned = (name) => name === 'bus' || name === 'vmstate' || name === 'cpu-x86' || name.startsWith('dev-') || name === 'block';

function* files(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts') && !p.endsWith('.spec.ts')) yield p;
  }
}

const problems = [];
let count = 0;
for (const pkg of readdirSync(join(root, 'packages'))) {
  if (!scanned(pkg)) continue;
  let src;
  try {
    src = join(root, 'packages', pkg, 'src');
    statSync(src);
  } catch {
    continue;
  }
  for (const f of files(src)) {
    if (f.includes(`${join('src', 'testing')}`)) continue;
    count++;
    readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (FORBIDDEN.test(line) && !line.includes('host-time-ok:')) problems.push(`${relative(root, f)}:${i + 1}: ${line.trim()}`);
      });
  }
}
if (problems.length) {
  console.error('Host time or host timers in device/bus/CPU/vmstate code (use bus.clock; or mark `host-time-ok: <reason>`):');
  for (const p of problems) console.error('  ' + p);
  process.exitCode = 1;
} else console.log(`no host time in ${count} source files`);
