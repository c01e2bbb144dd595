import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { UNTRACED_PATHS } from './names.js';

/**
 * The libraries traced for us: incoming HTTP (the W3C traceparent is read here), MySQL
 * statements, Redis commands, and undici requests between subgraphs (the gateway's own fetches
 * make their span and traceparent themselves, see SubgraphSource). Not Express: a span per
 * middleware layer tells an on-call engineer nothing the HTTP span does not, and wrapping every
 * layer of every request cost CPU even when the request was not sampled.
 */
export function createInstrumentations(): InstrumentationBase[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has(pathOf(request.url)),
      // Every outgoing call here goes through undici, traced below; node:http clients are only libraries' own.
      disableOutgoingRequestInstrumentation: true,
    }),
    // The statements are parameterised with `?`: their text, never the values bound to them (phone numbers, addresses).
    new MySQL2Instrumentation({ maskStatement: true, maskStatementHook: (sql) => sql }),
    // The command and its key; values (profiles, events) stay out of traces.
    new IORedisInstrumentation({ dbStatementSerializer: (command, args) => (typeof args[0] === 'string' ? `${command} ${args[0]}` : command) }),
    new UndiciInstrumentation({
      // Calls made outside any request (readiness polls, the test client) start no trace.
      requireParentforSpans: true,
      // A request that already carries a traceparent was traced by its caller.
      ignoreRequestHook: (request) => hasTraceparent(request),
    }),
  ];
}

/**
 * The instrumentations patch a library when it is `require`d, but here the libraries are
 * CommonJS packages imported from ESM, which Node loads without `require` (and usually before
 * tracing starts). Requiring each one again hands its already-loaded exports to the patch; the
 * ESM importers share those objects, so they see the patched prototypes. This resolves from
 * this package: the workspace hoists one copy of each library, and a copy nested elsewhere
 * would stay unpatched (tests/tracing.test.ts in the gateway would then miss its spans).
 */
export function patchLoadedModules(instrumentations: readonly InstrumentationBase[]): void {
  const require = createRequire(import.meta.url);
  for (const instrumentation of instrumentations) {
    for (const definition of instrumentation.getModuleDefinitions()) {
      try {
        require(definition.name);
      } catch (error) {
        // A library this process does not have is a library it does not use.
        if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
      }
    }
  }
}

function pathOf(url: string | undefined): string {
  const path = url ?? '/';
  const query = path.indexOf('?');
  return query === -1 ? path : path.slice(0, query);
}

function hasTraceparent(request: UndiciRequest): boolean {
  const { headers } = request;
  if (typeof headers === 'string') return /(^|\r\n)traceparent:/i.test(headers);
  for (let i = 0; i < headers.length; i += 2) {
    if (String(headers[i]).toLowerCase() === 'traceparent') return true;
  }
  return false;
}
