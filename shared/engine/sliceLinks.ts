// Which Service an EndpointSlice belongs to: the one its `kubernetes.io/service-name` label names
// in the slice's own namespace, as kube-proxy decides (ADR 0019). An ownerReference never links:
// anyone who can create a slice can write any UID there, including another namespace's Service.
// It can only stop a link, when it names a Service other than the labelled one.
import { serviceKeyNamed } from './serviceNames.ts';
import type { EndpointSliceFact } from './types.ts';
import type { EngineView } from './view.ts';

export type SliceLink =
  /** `service`: the NRP name (lower-cased UID) of the Service the slice belongs to. */
  | { readonly status: 'linked'; readonly service: string }
  /** Labelled, but no such Service is known (yet): it links when the Service arrives. */
  | { readonly status: 'pending' }
  /** No label and no Service owner: not a Service's slice at all (a mirror of something else). */
  | { readonly status: 'unlabelled' }
  /** It names a Service it cannot belong to; `detail` says why, for its Warning Event. */
  | { readonly status: 'refused'; readonly detail: string };

export function sliceLink(view: EngineView, slice: EndpointSliceFact): SliceLink {
  const owners = slice.ownerServiceUids.map((u) => u.toLowerCase());
  if (slice.serviceName === null) {
    if (owners.length === 0) return { status: 'unlabelled' };
    return { status: 'refused', detail: `it has a Service ownerReference (uid ${owners[0]}) but no kubernetes.io/service-name label` };
  }
  const key = serviceKeyNamed(view.kubeServiceNames, view.kubeServices, slice.namespace, slice.serviceName);
  const labelled = `${slice.namespace}/${slice.serviceName}`;
  const stranger = owners.find((o) => o !== key);
  if (stranger !== undefined && (key !== null || view.kubeServices.has(stranger))) {
    const other = view.kubeServices.get(stranger)?.fact;
    const named = other ? `Service ${other.namespace}/${other.name}` : `uid ${stranger}`;
    return { status: 'refused', detail: `its ownerReference names ${named}, not Service ${labelled} of its kubernetes.io/service-name label` };
  }
  return key === null ? { status: 'pending' } : { status: 'linked', service: key };
}

/** The NRP name of the Service a slice's endpoints belong to, or null. */
export function linkedService(view: EngineView, slice: EndpointSliceFact): string | null {
  const link = sliceLink(view, slice);
  return link.status === 'linked' ? link.service : null;
}
