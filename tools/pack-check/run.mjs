#!/usr/bin/env node
// Packaging check: `npm pack` every workspace package, install the tarballs into a fresh
// project OUTSIDE the repository (dependencies come from the npm registry as a user would get
// them), and use them there: build a container from two device modules, do port I/O through
// the bus, run the CLI. Proves each package can be published and used on its own.
// Needs a prior `npm run build`. Exit code 0 when everything worked.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'backplane-pack-'));
const tarballs = join(work, 'tarballs');
const consumer = join(work, 'consumer');
const keep = process.argv.includes('--keep');

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

try {
  const dirs = ['packages', 'tools'].flatMap((d) =>
    readdirSync(join(root, d), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(root, d, e.name, 'package.json')))
      .map((e) => join(root, d, e.name)),
  );
  mkdirSync(tarballs, { recursive: true });
  const deps = {};
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    if (!existsSync(join(dir, 'dist'))) throw new Error(`${pkg.name} has no dist/: run npm run build first`);
    const out = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', tarballs], dir));
    deps[pkg.name] = `file:${join(tarballs, out[0].filename)}`;
    console.log(`packed ${pkg.name}: ${out[0].filename} (${out[0].entryCount} files, ${out[0].size} bytes)`);
  }
  mkdirSync(consumer, { recursive: true });
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }, null, 2));
  console.log(`installing ${Object.keys(deps).length} tarballs into ${consumer}`);
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], consumer);

  writeFileSync(
    join(consumer, 'use.mjs'),
    `
import assert from 'node:assert/strict';
import { Bus, IoSpace, assemble, BUS } from '@backplane/bus';
import { createTestBench, postCodeLatchModule, countdownTimerModule, POST_CODE_LATCH } from '@backplane/bus/testing';

// A container from two device modules; port I/O through the bus.
const { container, bus } = assemble([postCodeLatchModule(), countdownTimerModule({ iobase: 0x300, irq: 5 })]);
assert.ok(bus instanceof Bus);
assert.ok(bus.io instanceof IoSpace);
assert.equal(container.get(BUS), bus);
bus.io.out8(0x80, 0x55);
assert.deepEqual(container.get(POST_CODE_LATCH).codes, [0x55]);
assert.equal(bus.io.in8(0x80), 0x55);
bus.io.out16(0x300, 250);
assert.equal(bus.io.in16(0x300), 250);
assert.equal(bus.io.in8(0x2e8), 0xff);

// The test kit: the timer raises IRQ 5 after 250 us of virtual time.
const bench = createTestBench([countdownTimerModule({ iobase: 0x300, irq: 5 })]);
const irq = bench.irq(5);
bench.outw(0x300, 250);
bench.outb(0x302, 3);
bench.advance(250_000);
assert.equal(irq.level, true);
console.log('ESM consumer: ok');
`,
  );
  console.log(run('node', ['use.mjs'], consumer).trim());

  writeFileSync(
    join(consumer, 'use.cjs'),
    `
const assert = require('node:assert/strict');
const { assemble } = require('@backplane/bus');
const { postCodeLatchModule } = require('@backplane/bus/testing');
const { bus } = assemble([postCodeLatchModule()]);
bus.io.out8(0x80, 7);
assert.equal(bus.io.in8(0x80), 7);
console.log('CommonJS consumer (require of the ESM build): ok');
`,
  );
  console.log(run('node', ['use.cjs'], consumer).trim());

  const help = run(join(consumer, 'node_modules/.bin/backplane'), ['help'], consumer);
  if (!help.includes('Usage: backplane')) throw new Error(`installed CLI printed unexpected help:\n${help}`);
  console.log('installed CLI: ok');

  // Every package's public face imports cleanly on its own.
  for (const name of Object.keys(deps)) run('node', ['--input-type=module', '-e', `await import(${JSON.stringify(name)})`], consumer);
  console.log(`all ${Object.keys(deps).length} packages import on their own: ok`);
  console.log('pack check passed');
} catch (e) {
  console.error(`pack check FAILED: ${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  process.exitCode = 1;
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
