#!/usr/bin/env node
// Checks that the dependency list in docs/architecture.md matches the nx project graph.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'nx-graph-'));
try {
  execFileSync('npx', ['--no-install', 'nx', 'graph', `--file=${join(dir, 'graph.json')}`], { cwd: root, stdio: 'ignore' });
  const graph = JSON.parse(readFileSync(join(dir, 'graph.json'), 'utf8')).graph;
  const actual = Object.keys(graph.dependencies)
    .sort()
    .map((p) => {
      const deps = graph.dependencies[p].map((d) => d.target).filter((t) => t.startsWith('@backplane/')).sort();
      return `- ${p} -> ${deps.length ? [...new Set(deps)].join(', ') : '(none)'}`;
    });
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const block = doc.split('<!-- deps:start -->')[1]?.split('<!-- deps:end -->')[0] ?? '';
  const documented = block.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('- '));
  const missing = actual.filter((l) => !documented.includes(l));
  const stale = documented.filter((l) => !actual.includes(l));
  if (missing.length || stale.length) {
    console.error('docs/architecture.md does not match `nx graph`:');
    for (const l of missing) console.error(`  graph has:     ${l}`);
    for (const l of stale) console.error(`  doc says:      ${l}`);
    console.error('Replace the list between <!-- deps:start --> and <!-- deps:end --> with:\n' + actual.join('\n'));
    process.exitCode = 1;
  } else console.log(`docs/architecture.md matches nx graph (${actual.length} projects)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
