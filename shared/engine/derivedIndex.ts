// An index derived from one of the state's maps, built at most once per map: the state's maps are
// never changed once a decision returns them, so the index of a returned map stays true, and a
// Draft that kept an index in step records it for the map it returns (docs/adr/0023).
export interface DerivedIndex<S extends object, I> {
  /** The index of `source`, built from it the first time it is asked for. */
  of(source: S): I;
  /** Records `index` as the index of `source` (a Draft's, as it returns it). */
  remember(source: S, index: I): void;
}

export function derivedIndex<S extends object, I>(build: (source: S) => I): DerivedIndex<S, I> {
  const built = new WeakMap<S, I>();
  return {
    of(source) {
      let index = built.get(source);
      if (index === undefined) {
        index = build(source);
        built.set(source, index);
      }
      return index;
    },
    remember(source, index) {
      built.set(source, index);
    },
  };
}
