// A patch that cannot be applied. The patch algorithms recurse deeply, so they throw this and
// `applyPatch` turns it into the `{ ok: false }` result in one place.
//
// 400: the patch document itself is malformed (not an array of operations, not an object, a bad
// directive, a list element without its merge key, unparsable YAML).
// 422: the patch is well formed but cannot be applied to this object (a JSON Patch path that does
// not exist, a failed `test`, a result that is not an object), as the API server answers.

export class PatchFailure extends Error {
  override readonly name = 'PatchFailure';
  readonly status: 400 | 422;

  constructor(status: 400 | 422, message: string) {
    super(message);
    this.status = status;
  }
}

export function badPatch(message: string): PatchFailure {
  return new PatchFailure(400, message);
}

export function unprocessable(message: string): PatchFailure {
  return new PatchFailure(422, message);
}
