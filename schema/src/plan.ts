import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type QueryPlan, type SubscriptionNode } from '@apollo/query-planner';

type AnyPlanNode = PlanNode | SubscriptionNode;
import { parse } from 'graphql';

/** Asks Apollo's query planner for the plan the gateway would run for `operation`. */
export function planOperation(supergraphSdl: string, operation: string): QueryPlan {
  const supergraph = Supergraph.build(supergraphSdl);
  const planner = new QueryPlanner(supergraph);
  return planner.buildQueryPlan(operationFromDocument(supergraph.schema, parse(operation), { validate: true }));
}

/** Sequential fetch levels: a sequence adds its steps' depths, a parallel node takes the deepest branch. */
export function planDepth(node: AnyPlanNode | undefined): number {
  if (!node) return 0;
  switch (node.kind) {
    case 'Fetch':
      return 1;
    case 'Flatten':
      return planDepth(node.node);
    case 'Sequence':
      return node.nodes.reduce((sum, child) => sum + planDepth(child), 0);
    case 'Parallel':
      return node.nodes.reduce((max, child) => Math.max(max, planDepth(child)), 0);
    case 'Defer':
      return planDepth(node.primary.node);
    case 'Condition':
      return Math.max(planDepth(node.ifClause), planDepth(node.elseClause));
    case 'Subscription':
      return planDepth(node.primary) + planDepth(node.rest);
  }
}

/** The subgraphs a plan fetches from, each named once. */
export function subgraphsInPlan(node: AnyPlanNode | undefined, into = new Set<string>()): Set<string> {
  if (!node) return into;
  switch (node.kind) {
    case 'Fetch':
      into.add(node.serviceName);
      break;
    case 'Flatten':
      subgraphsInPlan(node.node, into);
      break;
    case 'Sequence':
    case 'Parallel':
      for (const child of node.nodes) subgraphsInPlan(child, into);
      break;
    case 'Defer':
      subgraphsInPlan(node.primary.node, into);
      break;
    case 'Condition':
      subgraphsInPlan(node.ifClause, into);
      subgraphsInPlan(node.elseClause, into);
      break;
    case 'Subscription':
      subgraphsInPlan(node.primary, into);
      subgraphsInPlan(node.rest, into);
      break;
  }
  return into;
}
