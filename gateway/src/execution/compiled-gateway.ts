import { operationFromDocument, Supergraph, type Schema } from '@apollo/federation-internals';
import type { ApolloGateway, GraphQLDataSource } from '@apollo/gateway';
import { QueryPlanner, type QueryPlan } from '@apollo/query-planner';
import type {
  GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext, GatewayInterface, GatewayLoadResult, GatewaySchemaLoadOrUpdateCallback,
} from '@apollo/server-gateway-interface';
import { getVariableValues, Kind, visit, type DocumentNode, type FragmentDefinitionNode, type GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Logger } from '@ordergraph/common';
import { LABEL } from '@ordergraph/telemetry';
import type { Counter } from 'prom-client';
import type { EntityCache } from './entity-cache.js';
import { PlanRunner } from './plan-runner.js';
import { compileShaper, type ResponseShaper } from './response-shape.js';
import { inSpan } from './spans.js';
import { UnsupportedOperation } from './unsupported.js';

export interface CompiledGatewayOptions {
  /** Apollo's gateway: loads the schema, builds the data sources, and serves what the compiled executor does not. */
  readonly gateway: ApolloGateway;
  /** The data sources Apollo's gateway built, by subgraph name; read once it has loaded. */
  readonly sources: () => ReadonlyMap<string, GraphQLDataSource>;
  readonly log: Logger;
  /** Counts each distinct operation by the executor that runs it. */
  readonly planned?: Counter<string>;
  /** Public entities kept between requests (entity-cache.ts); none when absent. */
  readonly entityCache?: EntityCache;
  /** Distinct operations whose plan and response shape are kept. */
  readonly planCacheSize?: number;
}

/** One operation, planned and ready to run. */
interface PreparedOperation {
  readonly plan: QueryPlan;
  readonly operation: OperationDefinitionNode;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** Variables of @skip/@include conditions, with their defaults: a shape is compiled per combination of their values. */
  readonly conditionVariables: ReadonlyArray<{ readonly name: string; readonly defaultValue: unknown }>;
  readonly shapers: Map<string, ResponseShaper | null>;
}

/** What Apollo's executor serves: introspection, @defer, plans with data rewrites, usage-reporting traces. */
const APOLLO = Symbol('apollo executor');

interface Planning {
  readonly planner: QueryPlanner;
  readonly apiSchema: Schema;
  readonly runner: PlanRunner;
}

/**
 * A gateway that keeps Apollo's query planner and replaces its executor on the request path.
 * Per distinct operation it plans once and compiles once how the merged subgraph answers become
 * the client's response; per request it only fetches, merges and walks that compiled shape.
 * Apollo's executor stays behind it for what it does not run (UnsupportedOperation), so every
 * operation is served either way, and the errors and shapes are Apollo's rules.
 */
export class CompiledGateway implements GatewayInterface {
  private readonly gateway: ApolloGateway;
  private readonly sourcesOf: () => ReadonlyMap<string, GraphQLDataSource>;
  private readonly log: Logger;
  private readonly planned: Counter<string> | undefined;
  private readonly entityCache: EntityCache | undefined;
  private readonly prepared: LRUCache<string, PreparedOperation | typeof APOLLO>;
  private sources: ReadonlyMap<string, GraphQLDataSource> = new Map();
  private planning: Planning | undefined;
  private supergraphSdl: string | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(options: CompiledGatewayOptions) {
    this.gateway = options.gateway;
    this.sourcesOf = options.sources;
    this.log = options.log;
    this.planned = options.planned;
    this.entityCache = options.entityCache;
    this.prepared = new LRUCache({ max: options.planCacheSize ?? 2_000 });
  }

  async load(options: Parameters<GatewayInterface['load']>[0]): Promise<GatewayLoadResult> {
    const unsubscribe = this.gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => this.usePlanner(coreSupergraphSdl));
    const { executor } = await this.gateway.load(options);
    this.unsubscribe = unsubscribe;
    if (!executor) throw new Error('the Apollo gateway loaded without an executor');
    this.sources = this.sourcesOf();
    return { executor: (requestContext) => this.execute(requestContext, executor) };
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback) {
    return this.gateway.onSchemaLoadOrUpdate(callback);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.gateway.stop();
  }

  /** A new supergraph: a planner of its own, and every prepared operation forgotten. */
  private usePlanner(supergraphSdl: string): void {
    if (supergraphSdl === this.supergraphSdl) return;
    const supergraph = Supergraph.build(supergraphSdl);
    this.planning = {
      planner: new QueryPlanner(supergraph),
      apiSchema: supergraph.apiSchema(),
      runner: new PlanRunner(supergraph.schema.toGraphQLJSSchema(), this.entityCache),
    };
    this.supergraphSdl = supergraphSdl;
    this.prepared.clear();
  }

  private async execute(requestContext: GatewayGraphQLRequestContext, apollo: GatewayExecutor): Promise<GatewayExecutionResult> {
    const planning = this.planning;
    // Apollo Studio traces and the query-plan debugging header are features of Apollo's executor.
    if (!planning || requestContext.metrics.captureTraces || requestContext.request.http?.headers.get('apollo-query-plan-experimental')) return apollo(requestContext);
    const key = `${requestContext.queryHash}\n${requestContext.request.operationName ?? ''}`;
    let prepared = this.prepared.get(key);
    if (prepared === undefined) {
      prepared = this.prepare(requestContext, planning);
      this.prepared.set(key, prepared);
      this.planned?.inc({ [LABEL.executor]: prepared === APOLLO ? 'apollo' : 'compiled' });
    }
    if (prepared === APOLLO) return apollo(requestContext);
    const operation = prepared;
    const attributes = requestContext.operationName ? { 'graphql.operation.name': requestContext.operationName } : {};
    return inSpan('gateway.request', attributes, async () => {
      const variables = requestContext.request.variables ?? {};
      const invalid = inSpan('gateway.validate', {}, () => getVariableValues(requestContext.schema, operation.operation.variableDefinitions ?? [], variables).errors);
      if (invalid?.length) return { errors: invalid };

      const conditions: Record<string, boolean> = {};
      for (const { name, defaultValue } of operation.conditionVariables) {
        const value = Object.hasOwn(variables, name) && variables[name] !== undefined ? variables[name] : defaultValue;
        if (typeof value !== 'boolean') throw new Error(`Invalid non-boolean value ${String(value)} for Boolean! variable $${name}`);
        conditions[name] = value;
      }
      const shaper = this.shaper(operation, requestContext.schema, conditions);
      if (!shaper) return apollo(requestContext);

      const merged: Record<string, unknown> = {};
      const errors: GraphQLError[] = [];
      const node = operation.plan.node;
      if (node && node.kind !== 'Subscription') {
        await inSpan('gateway.execute', {}, () =>
          planning.runner.run(node, { requestContext, sources: this.sources, merged, errors, conditionValue: (name) => conditions[name] ?? false }),
        );
      }
      const shaped = inSpan('gateway.postprocessing', {}, () => shaper(merged));
      // As @apollo/gateway answers: value-completion errors are reported only when nothing failed before them.
      if (errors.length === 0) return shaped.errors.length > 0 ? { data: shaped.data, extensions: { valueCompletion: shaped.errors } } : { data: shaped.data };
      return { errors, data: shaped.data };
    });
  }

  /** Plans an operation, or leaves it to Apollo's executor when the plan holds what the runner does not run. */
  private prepare(requestContext: GatewayGraphQLRequestContext, planning: Planning): PreparedOperation | typeof APOLLO {
    try {
      const plan = inSpan('gateway.plan', {}, () =>
        planning.planner.buildQueryPlan(operationFromDocument(planning.apiSchema, requestContext.document, { operationName: requestContext.request.operationName })),
      );
      if (plan.node) PlanRunner.check(plan.node);
      const { conditions, introspects } = inspect(requestContext.document, requestContext.operation);
      if (introspects) throw new UnsupportedOperation('introspection');
      return { plan, operation: requestContext.operation, fragments: fragmentsOf(requestContext.document), conditionVariables: conditions, shapers: new Map() };
    } catch (error) {
      // Unsupported, or a failure Apollo's executor meets too and answers as it always has.
      this.log.debug({ err: error, operationName: requestContext.operationName }, "operation served by Apollo's executor");
      return APOLLO;
    }
  }

  private shaper(operation: PreparedOperation, schema: GraphQLSchema, conditions: Readonly<Record<string, boolean>>): ResponseShaper | null {
    const key = operation.conditionVariables.map(({ name }) => (conditions[name] ? '1' : '0')).join('');
    let shaper = operation.shapers.get(key);
    if (shaper === undefined) {
      const rootType = schema.getRootType(operation.operation.operation);
      try {
        if (!rootType) throw new UnsupportedOperation(`a schema without a ${operation.operation.operation} type`);
        shaper = compileShaper({ schema, rootType, selectionSet: operation.operation.selectionSet, fragments: operation.fragments, conditions });
      } catch (error) {
        if (!(error instanceof UnsupportedOperation)) throw error;
        shaper = null;
      }
      operation.shapers.set(key, shaper);
    }
    return shaper;
  }
}

function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}

/** The variables @skip and @include read, with their declared defaults; whether the document introspects the schema. */
function inspect(document: DocumentNode, operation: OperationDefinitionNode) {
  const names = new Set<string>();
  let introspects = false;
  visit(document, {
    Field(field) {
      if (field.name.value === '__schema' || field.name.value === '__type') introspects = true;
    },
    Directive(directive) {
      if (directive.name.value !== 'skip' && directive.name.value !== 'include') return;
      for (const argument of directive.arguments ?? []) {
        if (argument.value.kind === Kind.VARIABLE) names.add(argument.value.name.value);
      }
    },
  });
  const conditions = [...names].map((name) => {
    const definition = operation.variableDefinitions?.find((variable) => variable.variable.name.value === name);
    return { name, defaultValue: definition?.defaultValue?.kind === Kind.BOOLEAN ? definition.defaultValue.value : undefined };
  });
  return { conditions, introspects };
}
