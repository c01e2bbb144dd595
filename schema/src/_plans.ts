import { readFileSync, readdirSync } from 'node:fs';
import { planOperation, planDepth, subgraphsInPlan } from './plan.js';
import { prettyFormatQueryPlan } from '@apollo/query-planner';
const sdl = readFileSync('/work/main/schema/supergraph.graphql', 'utf8');
const base = '/work/shared/contract/operations';
for (const dir of readdirSync(base)) for (const f of readdirSync(`${base}/${dir}`)) {
  const op = readFileSync(`${base}/${dir}/${f}`, 'utf8');
  if (op.includes('subscription')) continue;
  const plan = planOperation(sdl, op);
  console.log(f, planDepth(plan.node), [...subgraphsInPlan(plan.node)].join(','));
  if (process.argv[2] === f) console.log(prettyFormatQueryPlan(plan));
}
