import { writeFileSync } from 'node:fs';
import { composeSupergraph, SUPERGRAPH_PATH } from './compose.js';

writeFileSync(SUPERGRAPH_PATH, composeSupergraph());
console.log(`wrote ${SUPERGRAPH_PATH}`);
