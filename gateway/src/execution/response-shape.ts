import { ERRORS } from '@apollo/federation-internals';
import {
  isAbstractType, isEnumType, isListType, isNonNullType, isObjectType, isScalarType, Kind,
  type DirectiveNode, type FieldNode, type FragmentDefinitionNode, type GraphQLAbstractType, type GraphQLError, type GraphQLObjectType, type GraphQLOutputType,
  type GraphQLSchema, type SelectionSetNode,
} from 'graphql';
import { UnsupportedOperation } from './unsupported.js';

/** What the client asked for, out of what the subgraphs answered: errors say where the two disagree. */
export interface ShapedResponse {
  readonly data: Record<string, unknown> | null;
  readonly errors: GraphQLError[];
}

export type ResponseShaper = (merged: Record<string, unknown>) => ShapedResponse;

type Path = Array<string | number>;

interface ShapeState {
  readonly errors: GraphQLError[];
  readonly path: Path;
}

/** A non-null position held null: the value bubbles up to the nearest nullable one. */
const INVALID = Symbol('invalid');

/** Completes one value of a field's type; `parent` names the object type the field is read on. */
type Complete = (value: unknown, state: ShapeState, parent: string) => unknown;

interface ShapedField {
  readonly responseName: string;
  /** `__typename`, under whatever alias: the object's own type name. */
  readonly isTypename: boolean;
  /** A response name Object.prototype also has (`constructor`, say): read only as an own property. */
  readonly ownOnly: boolean;
  readonly complete: Complete;
}

interface ObjectShape {
  readonly typeName: string;
  readonly fields: readonly ShapedField[];
}

export interface ShaperSource {
  readonly schema: GraphQLSchema;
  readonly selectionSet: SelectionSetNode;
  readonly rootType: GraphQLObjectType;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** The value of each @skip/@include condition, by variable name, for this compilation. */
  readonly conditions: Readonly<Record<string, boolean>>;
}

/**
 * Compiles, once per operation (and per value of its @skip/@include conditions), the walk that
 * turns the merged subgraph data into the client's response: the client's fields, under their
 * aliases, in its order, fragments resolved against each object's __typename, leaf values checked
 * against their types, and a null in a non-null position bubbled up to the nearest nullable field
 * with an INVALID_GRAPHQL error naming it — the same rules as @apollo/gateway's result shaping.
 * Throws UnsupportedOperation for what it does not shape (introspection beyond __typename).
 */
export function compileShaper(source: ShaperSource): ResponseShaper {
  const compiler = new ShapeCompiler(source);
  const root = compiler.objectShape(source.rootType, [source.selectionSet]);
  return (merged) => {
    const state: ShapeState = { errors: [], path: [] };
    const data = shapeObject(root, merged, state);
    return { data: data === INVALID ? null : (data as Record<string, unknown> | null), errors: state.errors };
  };
}

function shapeObject(shape: ObjectShape, input: Record<string, unknown>, state: ShapeState): Record<string, unknown> | typeof INVALID {
  const output: Record<string, unknown> = {};
  for (const field of shape.fields) {
    if (field.isTypename) {
      output[field.responseName] = shape.typeName;
      continue;
    }
    const value = field.ownOnly && !Object.hasOwn(input, field.responseName) ? null : input[field.responseName];
    state.path.push(field.responseName);
    const completed = field.complete(value ?? null, state, shape.typeName);
    state.path.pop();
    if (completed === INVALID) return INVALID;
    output[field.responseName] = completed;
  }
  return output;
}

class ShapeCompiler {
  private readonly schema: GraphQLSchema;
  private readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  private readonly conditions: Readonly<Record<string, boolean>>;

  constructor(source: ShaperSource) {
    this.schema = source.schema;
    this.fragments = source.fragments;
    this.conditions = source.conditions;
  }

  objectShape(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): ObjectShape {
    const fields: ShapedField[] = [];
    for (const [responseName, nodes] of this.collectFields(type, selectionSets)) {
      if (responseName === '__proto__') throw new UnsupportedOperation('a field aliased __proto__');
      const name = nodes[0]!.name.value;
      const ownOnly = responseName in Object.prototype;
      if (name === '__typename') {
        fields.push({ responseName, isTypename: true, ownOnly, complete: () => type.name });
        continue;
      }
      const definition = type.getFields()[name];
      if (!definition) throw new UnsupportedOperation(`the field ${type.name}.${name}`);
      const subSelections = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      fields.push({ responseName, isTypename: false, ownOnly, complete: this.completer(definition.type, subSelections) });
    }
    return { typeName: type.name, fields };
  }

  private completer(type: GraphQLOutputType, selectionSets: readonly SelectionSetNode[]): Complete {
    if (isNonNullType(type)) return this.nonNull(type.ofType, this.completer(type.ofType, selectionSets));
    if (isListType(type)) return this.list(this.completer(type.ofType, selectionSets));
    if (isObjectType(type)) {
      const shape = this.objectShape(type, selectionSets);
      return (value, state, parent) => {
        if (value === null) return null;
        if (typeof value !== 'object') return invalidValue(state, parent);
        const shaped = shapeObject(shape, value as Record<string, unknown>, state);
        return shaped === INVALID ? null : shaped;
      };
    }
    if (isAbstractType(type)) return this.abstract(type, selectionSets);
    return leafCompleter(type);
  }

  private nonNull(inner: GraphQLOutputType, complete: Complete): Complete {
    return (value, state, parent) => {
      const errorsBefore = state.errors.length;
      const completed = complete(value, state, parent);
      if (completed !== null) return completed;
      // An error already reported below explains this null; otherwise this position reports it.
      if (state.errors.length === errorsBefore) {
        state.errors.push(ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${describePosition(state.path, inner, parent)}.`, { path: [...state.path] }));
      }
      return INVALID;
    };
  }

  private list(complete: Complete): Complete {
    return (value, state, parent) => {
      if (value === null) return null;
      if (!Array.isArray(value)) return invalidValue(state, parent);
      const output = new Array<unknown>(value.length);
      let nullified = false;
      for (let index = 0; index < value.length; index++) {
        state.path.push(index);
        const completed = complete(value[index] ?? null, state, parent);
        state.path.pop();
        if (completed === INVALID) nullified = true;
        else output[index] = completed;
      }
      return nullified ? null : output;
    };
  }

  /** An interface or union: the object's __typename picks the shape, each compiled when first met. */
  private abstract(type: GraphQLAbstractType, selectionSets: readonly SelectionSetNode[]): Complete {
    const shapes = new Map<string, ObjectShape>();
    return (value, state, parent) => {
      if (value === null) return null;
      if (typeof value !== 'object') return invalidValue(state, parent);
      const typename = (value as Record<string, unknown>)['__typename'];
      const objectType = typeof typename === 'string' ? this.schema.getType(typename) : undefined;
      if (!isObjectType(objectType) || !this.schema.isSubType(type, objectType)) {
        state.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${describePosition(state.path, type, parent)}.`, { path: [...state.path] }));
        return null;
      }
      let shape = shapes.get(objectType.name);
      if (!shape) shapes.set(objectType.name, (shape = this.objectShape(objectType, selectionSets)));
      const shaped = shapeObject(shape, value as Record<string, unknown>, state);
      return shaped === INVALID ? null : shaped;
    };
  }

  /** The fields a selection asks of one object type, by response name, in the order first asked (GraphQL's CollectFields). */
  private collectFields(type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[], into = new Map<string, FieldNode[]>(), visited = new Set<string>()): Map<string, FieldNode[]> {
    for (const selectionSet of selectionSets) {
      for (const selection of selectionSet.selections) {
        if (!this.included(selection)) continue;
        if (selection.kind === Kind.FIELD) {
          const responseName = selection.alias?.value ?? selection.name.value;
          const existing = into.get(responseName);
          if (existing) existing.push(selection);
          else into.set(responseName, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.applies(selection.typeCondition?.name.value, type)) this.collectFields(type, [selection.selectionSet], into, visited);
        } else {
          const name = selection.name.value;
          const fragment = this.fragments[name];
          if (visited.has(name) || !fragment) continue;
          visited.add(name);
          if (this.applies(fragment.typeCondition.name.value, type)) this.collectFields(type, [fragment.selectionSet], into, visited);
        }
      }
    }
    return into;
  }

  private applies(condition: string | undefined, type: GraphQLObjectType): boolean {
    if (condition === undefined || condition === type.name) return true;
    const conditionType = this.schema.getType(condition);
    return isAbstractType(conditionType) && this.schema.isSubType(conditionType, type);
  }

  private included(selection: { readonly directives?: ReadonlyArray<DirectiveNode> }): boolean {
    for (const directive of selection.directives ?? []) {
      const name = directive.name.value;
      if (name !== 'skip' && name !== 'include') continue;
      const argument = directive.arguments?.find((arg) => arg.name.value === 'if')?.value;
      let condition: boolean | undefined;
      if (argument?.kind === Kind.BOOLEAN) condition = argument.value;
      else if (argument?.kind === Kind.VARIABLE) condition = this.conditions[argument.name.value];
      if (condition === undefined) throw new UnsupportedOperation(`@${name} without a boolean value`);
      if (name === 'skip' ? condition : !condition) return false;
    }
    return true;
  }
}

/** Leaf values are checked against their type as @apollo/gateway checks them; custom scalars pass as they are. */
function leafCompleter(type: GraphQLOutputType): Complete {
  const valid = leafCheck(type);
  return (value, state, parent) => {
    if (value === null || valid(value)) return value;
    state.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describePosition(state.path, type, parent)}.`, { path: [...state.path] }));
    return null;
  };
}

function leafCheck(type: GraphQLOutputType): (value: unknown) => boolean {
  if (isEnumType(type)) {
    const names = new Set(type.getValues().map((value) => value.name));
    return (value) => typeof value === 'string' && names.has(value);
  }
  switch (isScalarType(type) ? type.name : undefined) {
    case 'String': return (value) => typeof value === 'string';
    case 'Boolean': return (value) => typeof value === 'boolean';
    case 'Int': return (value) => Number.isInteger(value);
    case 'ID': return (value) => typeof value === 'string' || Number.isInteger(value);
    case 'Float': return (value) => typeof value === 'number' && Number.isFinite(value);
    default: return () => true;
  }
}

function invalidValue(state: ShapeState, parent: string): null {
  state.errors.push(ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${describePosition(state.path, null, parent)}.`, { path: [...state.path] }));
  return null;
}

/** `field Order.status`, or `array element of type Order at index 3`: where a value went wrong. */
function describePosition(path: Path, type: GraphQLOutputType | null, parent: string): string {
  const last = path[path.length - 1];
  return typeof last === 'number' ? `array element of type ${String(type)} at index ${last}` : `field ${parent}.${String(last)}`;
}
