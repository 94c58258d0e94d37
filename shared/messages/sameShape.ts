// Compile-time proof that a schema mirrors an engine type exactly: same fields, same optionality,
// same unions, in both directions. Only readonly-ness is ignored (the engine's types are readonly
// throughout, zod's outputs are not).

/** Every property and array readonly, all the way down. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** Type identity, not mutual assignability: an optional field one side lacks is a difference. */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export type SameShape<A, B> = Equals<DeepReadonly<A>, DeepReadonly<B>>;

/**
 * `sameShape<z.output<typeof schema>, EngineType>(true)` compiles only when the two agree: the
 * argument's type is `true` then and `false` otherwise. It does nothing at run time.
 */
export function sameShape<A, B>(_proof: SameShape<A, B>): void {}
