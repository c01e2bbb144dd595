import { runSubgraph } from '@ordergraph/common';
import { storeSubgraph } from './server.js';

await runSubgraph(storeSubgraph);
