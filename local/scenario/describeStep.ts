// A step in one short line, for progress output and error messages.
import type { Step } from './schema.ts';

export function describeStep(s: Step): string {
  switch (s.op) {
    case 'apply':
    case 'delete': {
      const m = s.object.metadata;
      return `${s.op} ${s.object.kind} ${m.namespace === undefined ? m.name : `${m.namespace}/${m.name}`}`;
    }
    case 'fault': {
      const f = s.fault;
      const where = f.target === 'nrp' ? ` ${f.operation ?? '*'}` : f.target === 'kube' ? ` ${f.verb ?? '*'} ${f.resource ?? '*'}` : '';
      const slow = f.latencyMs === undefined ? '' : ` +${f.latencyMs} ms`;
      const status = f.status === undefined ? '' : ` -> ${String(f.status)}${f.code === undefined ? '' : ` ${f.code}`}`;
      return `fault ${f.target}${where}${status}${slow} x${f.times}`;
    }
    case 'restart':
      return `restart ${s.component}`;
    case 'settle':
      return 'settle';
    case 'snapshot':
      return `snapshot ${s.name}`;
    case 'sleep':
      return `sleep ${s.ms} ms`;
  }
}
