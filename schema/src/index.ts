export { composeSupergraph, CompositionFailedError, SUBGRAPHS, SUPERGRAPH_PATH, subgraphSdlPath } from './compose.js';
export { planDepth, planOperation, subgraphsInPlan } from './plan.js';
