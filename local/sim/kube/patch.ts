// PATCH for the simulated Kubernetes API: picks the patch type from the Content-Type and applies
// it to a stored object, answering as the API server does (400 for a malformed patch, 422 for one
// that cannot be applied). Pure: the inputs are never mutated and the result shares nothing with
// them.
//
// Server-side apply is simplified: the applied configuration is merged onto the object as a
// strategic merge patch. There is no field ownership (managedFields), so no conflicts are
// reported and fields dropped from a later configuration are not removed.
import { parseApplyConfiguration } from './applyConfiguration.ts';
import { applyJsonPatch } from './jsonPatch.ts';
import { applyMergePatch } from './mergePatch.ts';
import { PatchFailure } from './patchFailure.ts';
import { isJsonObject, show } from './patchJson.ts';
import { applyStrategicMerge } from './strategicMerge.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export type PatchResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; status: 400 | 422; message: string };

const MEDIA_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/**
 * Content-Type → patch type; parameters such as `;charset=utf-8` are ignored. null means the
 * server answers 415 Unsupported Media Type.
 */
export function patchTypeOf(contentType: string | undefined): PatchType | null {
  if (contentType === undefined) return null;
  const media = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return Object.hasOwn(MEDIA_TYPES, media) ? (MEDIA_TYPES[media] as PatchType) : null;
}

/**
 * `kind` is the object's kind ('Service', 'Pod', 'Node', ...), which picks the strategic merge
 * keys. `patch` is the decoded body: parsed JSON for json/merge/strategic, the raw YAML or JSON
 * text for apply.
 */
export function applyPatch(type: PatchType, kind: string, target: Record<string, unknown>, patch: unknown): PatchResult {
  try {
    const value = patched(type, kind, target, patch);
    if (!isJsonObject(value)) {
      return { ok: false, status: 422, message: `the patched object must be a JSON object, not ${show(value)}` };
    }
    return { ok: true, value };
  } catch (error) {
    if (error instanceof PatchFailure) return { ok: false, status: error.status, message: error.message };
    throw error;
  }
}

function patched(type: PatchType, kind: string, target: Record<string, unknown>, patch: unknown): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(target, patch);
    case 'merge':
      return applyMergePatch(target, patch);
    case 'strategic':
      return applyStrategicMerge(kind, target, patch);
    case 'apply':
      return applyStrategicMerge(kind, target, parseApplyConfiguration(patch));
  }
}
