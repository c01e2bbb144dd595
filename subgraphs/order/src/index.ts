import { runSubgraph } from '@ordergraph/common';
import { orderSubgraph } from './server.js';

await runSubgraph(orderSubgraph);
