import { runSubgraph } from '@ordergraph/common';
import { menuSubgraph } from './server.js';

await runSubgraph(menuSubgraph);
