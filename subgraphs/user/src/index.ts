import { runSubgraph } from '@ordergraph/common';
import { userSubgraph } from './server.js';

await runSubgraph(userSubgraph);
