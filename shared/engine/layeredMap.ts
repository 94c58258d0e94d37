// A copy-on-write Map whose copy costs what changed, not what it holds (docs/adr/0023). A decision
// that moves one pod of 5,000 used to copy the whole map; a LayeredMap instead shares a frozen
// base with the state it came from and keeps this decision's and its predecessors' changes in two
// small layers, folded into a new base once they outgrow about the square root of the base (a
// copy stays O(sqrt n) amortised) or when the map is iterated (which is O(n) anyway). Iteration order is exactly a Map's (insertion order; a key set
// again keeps its place; a key deleted and set again moves to the end): decisions iterate these
// maps, and their command order must not depend on how the map is stored.

const GONE: unique symbol = Symbol('gone');
// The symbol node:util looks up, without importing node:util into the pure engine.
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
type Gone = typeof GONE;

/** Layers larger than this (for a base of n entries) are folded into a new base at the next fork. */
function foldThreshold(baseSize: number): number {
  return Math.max(32, Math.ceil(Math.sqrt(2 * baseSize)));
}

// A Map to whatever inspects it: its prototype is Map.prototype and its methods are own,
// non-enumerable properties (its own Map storage stays unused), so that node:assert's strict deep
// equality compares it with a loaded state's plain Map by contents, `instanceof Map` holds, and no
// field shows; the fields are private for the same reason.
export class LayeredMap<K, V> extends Map<K, V> {
  /** Shared with the maps forked from it (then never mutated), or this map's own (`owned`). */
  #base: Map<K, V>;
  /** Whether no other map shares `base`: writes then go to it directly, as to a plain Map. */
  #owned: boolean;
  /** Base keys replaced in place, or deleted (GONE). */
  #changed: Map<K, V | Gone>;
  /** Keys not (or no longer) at a base position, in insertion order. */
  #added: Map<K, V>;
  #count: number;

  private constructor(base: Map<K, V>, owned: boolean, changed: Map<K, V | Gone>, added: Map<K, V>, count: number) {
    super();
    Object.setPrototypeOf(this, Map.prototype);
    Object.defineProperties(this, OWN_METHODS);
    this.#base = base;
    this.#owned = owned;
    this.#changed = changed;
    this.#added = added;
    this.#count = count;
  }

  /**
   * A writable copy of `source`, which must not change afterwards (a state's map never does): a
   * LayeredMap shares its base and copies its layers, or folds them into a new base when they grew
   * too large; any other map becomes the base.
   */
  static #is<K, V>(map: ReadonlyMap<K, V>): map is LayeredMap<K, V> {
    return #base in map;
  }

  static fork<K, V>(source: ReadonlyMap<K, V>): LayeredMap<K, V> {
    if (!LayeredMap.#is(source)) return new LayeredMap<K, V>(source as Map<K, V>, false, new Map(), new Map(), source.size);
    const s = source;
    if (s.#changed.size + s.#added.size > foldThreshold(s.#base.size)) return new LayeredMap<K, V>(new Map(s.#layered()), true, new Map(), new Map(), s.#count);
    s.#owned = false;
    return new LayeredMap<K, V>(s.#base, false, new Map(s.#changed), new Map(s.#added), s.#count);
  }

  override get size(): number {
    return this.#count;
  }

  /** Whether `key` sits at its base position (replaced or not). */
  #inBase(key: K): boolean {
    return this.#changed.get(key) !== GONE && this.#base.has(key);
  }

  override has(key: K): boolean {
    return this.#added.has(key) || this.#inBase(key);
  }

  override get(key: K): V | undefined {
    if (this.#added.size > 0 && this.#added.has(key)) return this.#added.get(key);
    if (this.#changed.size > 0 && this.#changed.has(key)) {
      const c = this.#changed.get(key);
      return c === GONE ? undefined : c;
    }
    return this.#base.get(key);
  }

  override set(key: K, value: V): this {
    if (this.#owned) {
      this.#base.set(key, value);
      this.#count = this.#base.size;
    } else if (this.#added.has(key)) this.#added.set(key, value);
    else if (this.#inBase(key)) this.#changed.set(key, value);
    else {
      this.#added.set(key, value);
      this.#count += 1;
    }
    return this;
  }

  override delete(key: K): boolean {
    if (this.#owned) {
      const had = this.#base.delete(key);
      this.#count = this.#base.size;
      return had;
    }
    if (this.#added.delete(key)) {
      this.#count -= 1;
      return true;
    }
    if (!this.#inBase(key)) return false;
    this.#changed.set(key, GONE);
    this.#count -= 1;
    return true;
  }

  override clear(): void {
    // An own base is cleared in place, so that a loop iterating it stops as a Map's would.
    if (this.#owned) this.#base.clear();
    else this.#base = new Map();
    this.#owned = true;
    this.#changed = new Map();
    this.#added = new Map();
    this.#count = 0;
  }

  /** The entries through the layers, in a Map's order. */
  *#layered(): Generator<[K, V]> {
    for (const entry of this.#base.entries()) {
      if (!this.#changed.has(entry[0])) yield entry;
      else {
        const c = this.#changed.get(entry[0]);
        if (c !== GONE) yield [entry[0], c as V];
      }
    }
    yield* this.#added.entries();
  }

  /**
   * Iterating costs O(n) anyway: the layers are folded into a base of this map's own first, so the
   * iteration is a Map's, with a Map's semantics for writes made while it runs. A shared base is
   * copied even with no layers: a loop over it would not see the writes it makes (they go to layers).
   */
  #flat(): Map<K, V> {
    if (!this.#owned) {
      this.#base = new Map(this.#layered());
      this.#owned = true;
      this.#changed = new Map();
      this.#added = new Map();
    }
    return this.#base;
  }

  override entries(): MapIterator<[K, V]> {
    return this.#flat().entries();
  }

  override keys(): MapIterator<K> {
    return this.#flat().keys();
  }

  override values(): MapIterator<V> {
    return this.#flat().values();
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#flat().entries();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.#flat()) callback.call(thisArg, v, k, this);
  }

  /** node:util's inspect (console.log, debug output) reads a Map's native storage: show the entries instead. */
  [INSPECT](depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return inspect(new Map(this.#flat()), { ...options, depth });
  }
}

const OWN_METHODS: PropertyDescriptorMap = (() => {
  const proto = LayeredMap.prototype as unknown as Record<PropertyKey, unknown>;
  const out: PropertyDescriptorMap = {};
  for (const name of ['has', 'get', 'set', 'delete', 'clear', 'entries', 'keys', 'values', 'forEach', Symbol.iterator, INSPECT] as const) {
    out[name] = { value: proto[name], enumerable: false, writable: false, configurable: false };
  }
  // The getter is the class's own, called with a LayeredMap as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  out['size'] = { get: Object.getOwnPropertyDescriptor(LayeredMap.prototype, 'size')?.get, enumerable: false, configurable: false };
  return out;
})();
