import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

/** Where the page imports graphql-ws from: `import { createClient } from './vendor/graphql-ws/client.js'`. */
export const GRAPHQL_WS_ROUTE = '/vendor/graphql-ws';

/** `import … from '…'` and `export … from '…'` at the start of a line: how a built ES module names what it loads. */
const STATIC_IMPORT = /^\s*(?:import|export)\b[^'"();]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

/**
 * graphql-ws's own browser build, as its package.json declares it (`exports["./client"].browser`):
 * an ES module whose imports are chunks beside it. Returns file name → path of that module and of
 * every chunk it loads, found by reading them, so that an upgrade (new chunk names) needs no
 * change here; a bare import, which a browser cannot load without a bundler, fails at start.
 */
export function graphqlWsBrowserFiles(): ReadonlyMap<string, string> {
  const manifestPath = createRequire(import.meta.url).resolve('graphql-ws/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { version?: string; exports?: Record<string, { browser?: unknown }> };
  const entry = manifest.exports?.['./client']?.browser;
  if (typeof entry !== 'string') {
    throw new Error(`graphql-ws ${manifest.version} declares no browser build of "graphql-ws/client" (exports["./client"].browser); the dashboard serves that file.`);
  }
  const files = new Map<string, string>();
  const pending = [join(dirname(manifestPath), entry)];
  for (let path = pending.pop(); path; path = pending.pop()) {
    if (files.has(basename(path))) continue;
    files.set(basename(path), path);
    for (const match of readFileSync(path, 'utf8').matchAll(STATIC_IMPORT)) {
      const specifier = match[1] ?? match[2] ?? '';
      if (!/^\.\/[\w.-]+\.js$/.test(specifier)) {
        throw new Error(`graphql-ws's browser build ${basename(path)} imports ${JSON.stringify(specifier)}: only chunks beside it (./name.js) can be served as they are.`);
      }
      pending.push(join(dirname(path), specifier));
    }
  }
  return files;
}
