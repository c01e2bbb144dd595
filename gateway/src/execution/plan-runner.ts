import { ERRORS, errorCodeDef } from '@apollo/federation-internals';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetchNode, PlanNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import { GraphQLError, isAbstractType, isInterfaceType, isObjectType, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { EntityCache } from './entity-cache.js';
import { inSpan } from './spans.js';
import { UnsupportedOperation } from './unsupported.js';

type ResponsePath = ReadonlyArray<string | number>;
type Json = Record<string, unknown>;

/** Where a plan node works: the objects at `path` of the merged response. */
interface Cursor {
  readonly path: ResponsePath;
  /** An object, or (below a list) the flat array of the objects at that path. */
  readonly data: unknown;
}

export interface PlanRun {
  readonly requestContext: GatewayGraphQLRequestContext;
  readonly sources: ReadonlyMap<string, GraphQLDataSource>;
  /** The request's variables with their operation defaults, for Condition nodes. */
  readonly conditionValue: (variable: string) => boolean;
  /** Errors of the fetches, in the order they happened. */
  readonly errors: GraphQLError[];
  /** The response so far, every fetch's data merged in. */
  readonly merged: Json;
}

/**
 * Runs what Apollo's query planner planned: Sequence and Parallel as they say, each Fetch
 * through the subgraph's data source with the variables it uses, entity fetches with the
 * representations their `requires` select from the objects at their Flatten path (each
 * distinct representation sent once), and every answer merged into one response. A failed
 * fetch is an error of the response, not of the request: its fields stay unset and the rest
 * of the plan goes on.
 */
export class PlanRunner {
  private readonly supergraph: GraphQLSchema;
  private readonly typeConditions = new Map<string, (typename: string) => boolean>();

  private readonly entityCache: EntityCache | undefined;

  constructor(supergraph: GraphQLSchema, entityCache?: EntityCache) {
    this.supergraph = supergraph;
    this.entityCache = entityCache;
  }

  /** Throws UnsupportedOperation for a plan this runner does not execute (@defer, rewrites, subscriptions). */
  static check(node: PlanNode | { readonly kind: string }): void {
    switch (node.kind) {
      case 'Sequence':
      case 'Parallel':
        for (const child of (node as { nodes: PlanNode[] }).nodes) PlanRunner.check(child);
        return;
      case 'Flatten':
        return PlanRunner.check((node as { node: PlanNode }).node);
      case 'Condition': {
        const { ifClause, elseClause } = node as { ifClause?: PlanNode; elseClause?: PlanNode };
        if (ifClause) PlanRunner.check(ifClause);
        if (elseClause) PlanRunner.check(elseClause);
        return;
      }
      case 'Fetch': {
        const fetch = node as FetchNode;
        if (fetch.inputRewrites?.length || fetch.outputRewrites?.length || fetch.contextRewrites?.length) throw new UnsupportedOperation('a fetch with data rewrites');
        if (fetch.hasDefers) throw new UnsupportedOperation('@defer');
        return;
      }
      default:
        throw new UnsupportedOperation(`a ${node.kind} plan node`);
    }
  }

  run(node: PlanNode, run: PlanRun): Promise<void> {
    return this.execute(node, run, { path: [], data: run.merged });
  }

  private async execute(node: PlanNode, run: PlanRun, cursor: Cursor): Promise<void> {
    switch (node.kind) {
      case 'Sequence':
        for (const child of node.nodes) await this.execute(child, run, cursor);
        return;
      case 'Parallel':
        await Promise.all(node.nodes.map((child) => this.execute(child, run, cursor)));
        return;
      case 'Flatten': {
        const data = valuesAtPath(cursor.data, node.path);
        if (data === null || data === undefined) return;
        await this.execute(node.node, run, { path: [...cursor.path, ...node.path], data });
        return;
      }
      case 'Condition': {
        const branch = run.conditionValue(node.condition) ? node.ifClause : node.elseClause;
        if (branch) await this.execute(branch, run, cursor);
        return;
      }
      case 'Fetch':
        try {
          await inSpan('gateway.fetch', { service: node.serviceName }, () => this.fetch(node, run, cursor));
        } catch (error) {
          // A data source's own failure (SUBGRAPH_UNAVAILABLE, say) as it is; anything else is the gateway's fault.
          run.errors.push(error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined }));
        }
        return;
      default:
        throw new UnsupportedOperation(`a ${node.kind} plan node`);
    }
  }

  private async fetch(fetch: FetchNode, run: PlanRun, cursor: Cursor): Promise<void> {
    const source = run.sources.get(fetch.serviceName);
    if (!source) throw new Error(`Couldn't find service with name "${fetch.serviceName}"`);
    const entities = (Array.isArray(cursor.data) ? cursor.data : [cursor.data]).filter((entity): entity is Json => entity !== null && typeof entity === 'object');
    if (entities.length === 0) return;
    const variables: Json = {};
    const provided = run.requestContext.request.variables;
    if (provided) {
      for (const name of fetch.variableUsages ?? []) {
        if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
      }
    }

    if (!fetch.requires) {
      const { data } = await this.send(source, fetch, run, cursor, variables, null);
      if (data) for (const entity of entities) deepMerge(entity, data);
      return;
    }

    // One representation per distinct entity; every object that is that entity gets its answer.
    const representations: Json[] = [];
    const keys: string[] = [];
    const targets: Json[][] = [];
    const byKey = new Map<string, number>();
    for (const entity of entities) {
      const representation = this.select(entity, fetch.requires);
      if (!representation || !representation['__typename']) continue;
      const key = JSON.stringify(representation);
      const index = byKey.get(key);
      if (index === undefined) {
        byKey.set(key, representations.length);
        representations.push(representation);
        keys.push(key);
        targets.push([entity]);
      } else {
        targets[index]!.push(entity);
      }
    }
    if (representations.length === 0) return;
    if ('representations' in variables) throw new Error('Variables cannot contain key "representations"');

    // Public entities the cache holds are answered from it; only the others are fetched.
    const cache = this.entityCache?.covers(fetch) ? this.entityCache : undefined;
    let missing = representations.map((_, index) => index);
    if (cache) {
      const cached = cache.lookup(fetch, keys);
      missing = [];
      cached.forEach((entity, index) => {
        if (entity === undefined) missing.push(index);
        else for (const target of targets[index]!) deepMerge(target, entity);
      });
      if (missing.length === 0) return;
    }
    const sentTargets = missing.map((index) => targets[index]!);
    const response = await this.send(source, fetch, run, cursor, { ...variables, representations: missing.map((index) => representations[index]!) }, sentTargets);
    const data = response.data;
    if (!data) return;
    const received = data['_entities'];
    if (!Array.isArray(received)) throw new Error('Expected "data._entities" in response to be an array');
    if (received.length !== missing.length) throw new Error(`Expected "data._entities" to contain ${missing.length} elements`);
    const failed = cache ? failedEntities(response.errors) : undefined;
    for (let index = 0; index < received.length; index++) {
      const entity = received[index] as Json | null;
      if (!entity) continue;
      const sameEntity = sentTargets[index]!;
      if (!entity['__typename']) entity['__typename'] = sameEntity[0]!['__typename'];
      if (cache && failed !== 'all' && !failed?.has(index)) cache.store(fetch, keys[missing[index]!]!, entity);
      for (const target of sameEntity) deepMerge(target, entity);
    }
  }

  /**
   * One subgraph request; its errors join the response's, their paths made the client's:
   * `_entities.<i>.rest` becomes the path of the i-th representation's first object.
   */
  private async send(source: GraphQLDataSource, fetch: FetchNode, run: PlanRun, cursor: Cursor, variables: Json, targets: Json[][] | null) {
    const response = await source.process({
      // GraphQLDataSourceRequestKind.INCOMING_OPERATION: the enum is not among the package's exports.
      kind: 'incoming operation' as GraphQLDataSourceProcessOptions['kind'] & 'incoming operation',
      request: { query: fetch.operation, variables, operationName: fetch.operationName },
      incomingRequestContext: run.requestContext,
      context: run.requestContext.context,
      document: fetch.operationDocumentNode,
      pathInIncomingRequest: cursor.path as never,
    });
    if (response.errors) {
      let objectPaths: Map<Json, Array<string | number>> | undefined;
      const pathOf = (path: ResponsePath | undefined): Array<string | number> | undefined => {
        if (!path) return undefined;
        if (targets && typeof path[1] === 'number') {
          objectPaths ??= pathsOfObjects(run.merged, cursor.path);
          const target = targets[path[1]]?.[0];
          return [...((target && objectPaths.get(target)) ?? []), ...path.slice(2)];
        }
        return [...cursor.path, ...path];
      };
      for (const error of response.errors) run.errors.push(downstreamError(error, fetch.serviceName, pathOf(error.path)));
    }
    return response;
  }

  /** The representation of an entity: what `requires` selects of it, or null when it lacks a required field. */
  private select(source: Json, selections: readonly QueryPlanSelectionNode[]): Json | null {
    const result: Json = {};
    for (const selection of selections) {
      if (selection.kind === 'Field') {
        const name = selection.alias ?? selection.name;
        const value = Object.hasOwn(source, name) ? source[name] : undefined;
        if (value === undefined) return null;
        const sub = selection.selections;
        if (!sub || value === null) result[name] = value;
        else if (Array.isArray(value)) result[name] = value.map((item: unknown) => (item && typeof item === 'object' ? this.select(item as Json, sub) : item));
        else result[name] = this.select(value as Json, sub);
      } else {
        const typename = source['__typename'];
        if (!selection.typeCondition || typeof typename !== 'string' || !this.conditionMatcher(selection.typeCondition)(typename)) continue;
        const selected = this.select(source, selection.selections);
        if (selected) deepMerge(result, selected);
      }
    }
    return result;
  }

  private conditionMatcher(condition: string): (typename: string) => boolean {
    let matcher = this.typeConditions.get(condition);
    if (!matcher) {
      const conditionType = this.supergraph.getType(condition);
      matcher = (typename) => {
        if (typename === condition) return true;
        const type = this.supergraph.getType(typename);
        return isAbstractType(conditionType) && (isObjectType(type) || isInterfaceType(type)) && this.supergraph.isSubType(conditionType, type);
      };
      this.typeConditions.set(condition, matcher);
    }
    return matcher;
  }
}

/** The `_entities` indexes a subgraph's errors name, or 'all' when one of them names none. */
function failedEntities(errors: ReadonlyArray<GraphQLFormattedError> | undefined): Set<number> | 'all' | undefined {
  if (!errors?.length) return undefined;
  const failed = new Set<number>();
  for (const { path } of errors) {
    if (path?.[0] !== '_entities' || typeof path[1] !== 'number') return 'all';
    failed.add(path[1]);
  }
  return failed;
}

/** The values at a plan path: `@` walks into every element of a list, flattening. */
function valuesAtPath(value: unknown, path: ResponsePath): unknown {
  let current: unknown = value;
  for (let index = 0; index < path.length; index++) {
    if (current === null || current === undefined) return current;
    const element = path[index]!;
    if (element === '@') {
      const rest = path.slice(index + 1);
      return (current as unknown[]).flatMap((item) => valuesAtPath(item, rest));
    }
    if (Array.isArray(current) || typeof current !== 'object') return undefined;
    current = Object.hasOwn(current, element) ? (current as Json)[element as string] : undefined;
  }
  return current;
}

/** Each object found at a plan path of the response, with its own path (list indexes filled in). */
function pathsOfObjects(root: Json, planPath: ResponsePath): Map<Json, Array<string | number>> {
  const paths = new Map<Json, Array<string | number>>();
  const walk = (value: unknown, at: number, path: Array<string | number>) => {
    if (value === null || value === undefined) return;
    if (at === planPath.length) {
      if (typeof value === 'object' && !Array.isArray(value)) paths.set(value as Json, [...path]);
      else if (Array.isArray(value)) value.forEach((item, index) => walk(item, at, [...path, index]));
      return;
    }
    const element = planPath[at]!;
    if (element === '@' || Array.isArray(value)) {
      if (!Array.isArray(value)) return;
      value.forEach((item, index) => walk(item, element === '@' ? at + 1 : at, [...path, index]));
    } else if (typeof value === 'object' && Object.hasOwn(value, element)) {
      walk((value as Json)[element as string], at + 1, [...path, element]);
    }
  };
  walk(root, 0, []);
  return paths;
}

/** A subgraph's error as the client sees it: its own code kept, the subgraph named, DOWNSTREAM_SERVICE_ERROR when it had none. */
function downstreamError(error: GraphQLFormattedError, serviceName: string, path: ReadonlyArray<string | number> | undefined): GraphQLError {
  const message = error.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = { path, extensions: { ...error.extensions, serviceName } };
  const code = errorCodeDef(error);
  if (!code && error.extensions?.['code']) return new GraphQLError(message, options);
  return (code ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}

/** Merges a fetch's answer into the response: objects field by field, lists of the same length element by element. */
export function deepMerge(target: Json, source: Json | null | undefined): Json {
  if (!source) return target;
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (value === undefined || key === '__proto__') continue;
    const existing = Object.hasOwn(target, key) ? target[key] : undefined;
    if (existing && typeof existing === 'object' && value !== null && typeof value === 'object' && !Array.isArray(value) && !Array.isArray(existing)) {
      deepMerge(existing as Json, value as Json);
    } else if (Array.isArray(value) && Array.isArray(existing) && value.length === existing.length) {
      for (let index = 0; index < value.length; index++) {
        const item: unknown = value[index];
        const current: unknown = existing[index];
        if (current && typeof current === 'object' && !Array.isArray(current) && item && typeof item === 'object' && !Array.isArray(item)) deepMerge(current as Json, item as Json);
        else existing[index] = item;
      }
    } else {
      target[key] = value;
    }
  }
  return target;
}
