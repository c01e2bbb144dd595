import {
  getArgumentValues, getDirectiveValues, GraphQLIncludeDirective, GraphQLSkipDirective, Kind, OperationTypeNode, print, visit,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode,
  type SelectionSetNode, type VariableDefinitionNode,
} from 'graphql';

/** The subscription fields the gateway serves from the order events stream, and the argument each filters by. */
export const SUBSCRIPTION_FIELDS = {
  storeOrderEvents: 'storeId',
  orderUpdated: 'orderId',
} as const;
export type SubscriptionField = keyof typeof SUBSCRIPTION_FIELDS;

/** What a subscribe message asks for, read once when it arrives. */
export interface PreparedSubscription {
  readonly field: SubscriptionField;
  /** The store or order id the field filters events by. */
  readonly target: string;
  /**
   * The query that resolves the events' `order` selection through the gateway's planner and
   * executor, as StoreOrders would: `order(id:)` with the same selection, fragments and
   * variables. Null when the subscription selects no `order`.
   */
  readonly orderQuery: { readonly text: string; readonly orderIdVariable: string } | null;
  readonly document: DocumentNode;
  readonly operationName: string | undefined;
  readonly variables: Readonly<Record<string, unknown>>;
  /** Identifies the selection and variables: subscribers with equal keys (and principals) share each event's resolution. */
  readonly key: string;
}

function isSubscriptionField(name: string): name is SubscriptionField {
  return Object.hasOwn(SUBSCRIPTION_FIELDS, name);
}

/**
 * Reads a validated subscription operation. Returns null for a root field the stream does not
 * feed (the schema has only ours, so that means a new field nobody wired).
 */
export function prepareSubscription(
  schema: GraphQLSchema,
  { document, key: documentKey }: { readonly document: DocumentNode; readonly key: string },
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): PreparedSubscription | null {
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const [root] = collectFields(operation.selectionSet, fragments, variables);
  const subscriptionType = schema.getSubscriptionType();
  if (!root || !subscriptionType || !isSubscriptionField(root.name.value)) return null;
  const field = root.name.value;
  const fieldDef = subscriptionType.getFields()[field];
  if (!fieldDef) return null;
  const args = getArgumentValues(fieldDef, root, variables);
  const target = String(args[SUBSCRIPTION_FIELDS[field]]);

  const orderFields = root.selectionSet ? collectFields(root.selectionSet, fragments, variables).filter((f) => f.name.value === 'order') : [];
  return {
    field,
    target,
    orderQuery: orderFields.length > 0 ? buildOrderQuery(operation, orderFields, fragments) : null,
    document,
    operationName: operation.name?.value,
    variables,
    key: `${documentKey}\u0000${operation.name?.value ?? ''}\u0000${JSON.stringify(variables)}`,
  };
}

/** The fields a selection set selects, through fragments, honouring @skip and @include. */
function collectFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  variables: Readonly<Record<string, unknown>>,
): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (!included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) fields.push(...collectFields(selection.selectionSet, fragments, variables));
    else {
      const fragment = fragments.get(selection.name.value);
      if (fragment) fields.push(...collectFields(fragment.selectionSet, fragments, variables));
    }
  }
  return fields;
}

function included(node: Parameters<typeof getDirectiveValues>[1], variables: Readonly<Record<string, unknown>>): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.['if'] !== false;
}

/**
 * `query <name>($<orderId>: ID!, …) { <key>: order(id: $<orderId>) { …the event's order selection } }`,
 * carrying over only the variables and fragments that selection uses (GraphQL rejects unused ones).
 */
function buildOrderQuery(
  operation: OperationDefinitionNode,
  orderFields: readonly FieldNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): { text: string; orderIdVariable: string } {
  const usedVariables = new Set<string>();
  const usedFragments = new Map<string, FragmentDefinitionNode>();
  const collectUses = (node: SelectionSetNode | FragmentDefinitionNode) =>
    visit(node, {
      Variable: (variable) => void usedVariables.add(variable.name.value),
      FragmentSpread: (spread) => {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !usedFragments.has(fragment.name.value)) {
          usedFragments.set(fragment.name.value, fragment);
          collectUses(fragment);
        }
      },
    });
  for (const field of orderFields) if (field.selectionSet) collectUses(field.selectionSet);

  const declared = new Set((operation.variableDefinitions ?? []).map((d) => d.variable.name.value));
  let orderIdVariable = 'eventOrderId';
  while (declared.has(orderIdVariable)) orderIdVariable = `_${orderIdVariable}`;
  const orderIdDefinition: VariableDefinitionNode = {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: orderIdVariable } },
    type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
  };
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: OperationTypeNode.QUERY,
    ...(operation.name ? { name: operation.name } : {}),
    variableDefinitions: [orderIdDefinition, ...(operation.variableDefinitions ?? []).filter((d) => usedVariables.has(d.variable.name.value))],
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: orderFields.map((field) => ({
        ...field,
        directives: [],
        arguments: [
          {
            kind: Kind.ARGUMENT,
            name: { kind: Kind.NAME, value: 'id' },
            value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: orderIdVariable } },
          },
        ],
      })),
    },
  };
  return { text: print({ kind: Kind.DOCUMENT, definitions: [query, ...usedFragments.values()] }), orderIdVariable };
}
