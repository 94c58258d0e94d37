// Object names and namespaces as Kubernetes itself validates them (apimachinery's
// IsDNS1123Subdomain and IsDNS1123Label). The forwarder puts them into request paths, so anything
// else ('..', '/', '%2F', upper case) is a malformed action, never a URL.
import { z } from 'zod';
import { MAX_NAME_CHARS, MAX_NAMESPACE_CHARS } from './bounds.ts';

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
export const DNS1123_LABEL = new RegExp(`^${LABEL}$`);
export const DNS1123_SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`);

/** Object names (Services, Pods, Nodes, EndpointSlices): a DNS-1123 subdomain of at most 253 characters. */
export const kubeNameSchema = z
  .string()
  .min(1)
  .max(MAX_NAME_CHARS)
  .regex(DNS1123_SUBDOMAIN, 'expected a DNS-1123 subdomain: lower-case letters, digits, \'-\' and \'.\', each dot-separated part starting and ending with a letter or digit');

/** Namespaces: a DNS-1123 label of at most 63 characters. */
export const kubeNamespaceSchema = z
  .string()
  .min(1)
  .max(MAX_NAMESPACE_CHARS)
  .regex(DNS1123_LABEL, 'expected a DNS-1123 label: lower-case letters, digits and \'-\', starting and ending with a letter or digit');
