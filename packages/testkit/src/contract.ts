import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The client contract beside the repository (../shared/contract), or CONTRACT_DIR. */
export const CONTRACT_DIR =
  process.env['CONTRACT_DIR'] ?? fileURLToPath(new URL('../../../../shared/contract/operations', import.meta.url));

/** Every contract operation by name (file name without .graphql), word for word. */
export function contractOperations(): Map<string, string> {
  const operations = new Map<string, string>();
  for (const client of readdirSync(CONTRACT_DIR)) {
    for (const file of readdirSync(join(CONTRACT_DIR, client))) {
      if (file.endsWith('.graphql')) operations.set(file.replace(/\.graphql$/, ''), readFileSync(join(CONTRACT_DIR, client, file), 'utf8'));
    }
  }
  return operations;
}

export function contractOperation(name: string): string {
  const operation = contractOperations().get(name);
  if (!operation) throw new Error(`no contract operation named ${name} in ${CONTRACT_DIR}`);
  return operation;
}
