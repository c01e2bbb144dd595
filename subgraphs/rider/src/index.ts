import { runSubgraph } from '@ordergraph/common';
import { riderSubgraph } from './server.js';

await runSubgraph(riderSubgraph);
