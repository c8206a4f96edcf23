import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/common/project-root.js';
import { HANDLERS } from '../../src/deploy/bundle-handlers.js';

const root = projectRoot();

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Each source file's relative imports (type imports included), as project paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((match) =>
      relative(root, resolve(dirname(file), (match[1] as string).replace(/\.js$/, '.ts'))),
    );
    graph.set(relative(root, file), targets);
  }
  return graph;
}

/** The import cycles of a graph, each as the files around it (depth-first search). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') found.push(path.slice(path.indexOf(next)));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('the layout of src/', () => {
  it('has no import cycle, type imports included', () => {
    expect(cycles(importGraph())).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });

  it('never imports the emulators, the demonstration or the tests', () => {
    for (const [file, targets] of importGraph())
      expect(
        targets.filter((target) => !target.startsWith('src/')),
        file,
      ).toEqual([]);
  });

  it('keeps each command an adapter of about 40 lines of action, no file over 80 lines', () => {
    for (const file of sources(join(root, 'src', 'cli', 'commands')))
      expect(readFileSync(file, 'utf8').split('\n').length - 1, relative(root, file)).toBeLessThanOrEqual(80);
  });

  it('keeps only the entry files of the handlers and their logger in src/lambda', () => {
    expect(readdirSync(join(root, 'src', 'lambda')).sort()).toEqual(
      [...[...HANDLERS].map((name) => `${name}.ts`), 'logger.ts'].sort(),
    );
    expect(HANDLERS).toEqual(['contain', 'investigate', 'notify', 'undelivered']);
  });

  it('installs nothing with the package: the build bundles everything the CLI runs', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;

    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.optionalDependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});
  });

  it('ships neither the emulators nor the demonstration in the package', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] };
    expect(manifest.files).not.toContain('emulators');
    expect(manifest.files).not.toContain('demo');
    expect(manifest.files.every((entry) => !entry.startsWith('src'))).toBe(true);
  });
});
