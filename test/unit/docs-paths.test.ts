import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DOCUMENTS = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const TOP = '(?:src|test|bench)/';

/**
 * The src/, test/ and bench/ paths a document names: in backticks (`src/jobs/queue.ts`, also
 * `src/x.ts:12` or `src/x.ts` with a name after it), and at the start of a line of a code block
 * (the README's "Where things are"). Patterns (`src/modules/<thing>/`, `*.test.ts`) are not paths.
 */
function pathsNamedIn(markdown: string): string[] {
  const named = new Set<string>();
  for (const [, quoted] of markdown.matchAll(new RegExp(`\`(${TOP}[^\`\\s]*)`, 'g'))) named.add(quoted ?? '');
  for (const [, listed] of markdown.matchAll(new RegExp(`^(${TOP}\\S*)`, 'gm'))) named.add(listed ?? '');
  return [...named]
    .map((name) => name.replace(/[:#].*$/, '').replace(/[.,;)]+$/, ''))
    .filter((name) => !/[<>*{}[\]]|\.\.\./.test(name));
}

describe('paths named in README.md and docs/*.md', () => {
  it('finds the paths a document names, and skips patterns', () => {
    const markdown = [
      'See `src/jobs/queue.ts:124` and `test/api/foo.test.ts`, or `bench/run.ts`.',
      '```',
      'src/routing/          the engine',
      'src/modules/<thing>/  one folder per resource',
      '```',
      '`test/**/*.test.ts` and `web/src/x.ts` and `src/lib/`.',
    ].join('\n');
    expect(pathsNamedIn(markdown).sort()).toEqual([
      'bench/run.ts',
      'src/jobs/queue.ts',
      'src/lib/',
      'src/routing/',
      'test/api/foo.test.ts',
    ]);
  });

  it.each(DOCUMENTS)('%s names only paths that exist', (document) => {
    const named = pathsNamedIn(readFileSync(path.join(ROOT, document), 'utf8'));
    expect(named.filter((name) => !existsSync(path.join(ROOT, name)))).toEqual([]);
  });
});
