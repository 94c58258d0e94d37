// A strict reader of the XML the benchmark writes (its SVG plot): elements, attributes, text,
// comments and an optional declaration; no DTDs, no CDATA. It throws on anything that is not
// well-formed (unbalanced or crossed tags, unquoted or repeated attributes, a bare `&` or `<`,
// more than one root), so that a test can check a file parses before looking inside it.

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (entities decoded), its children's excluded. */
  readonly text: string;
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string, at: number): string {
  if (raw.includes('<')) throw new Error(`a bare '<' at ${at}`);
  return raw.replace(/&([^;\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new Error(`a bare '&' at ${at}`);
    if (/^#x[0-9a-fA-F]+$/.test(ref)) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (/^#\d+$/.test(ref)) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const e = ENTITIES[ref];
    if (e === undefined) throw new Error(`an unknown entity &${ref}; at ${at}`);
    return e;
  });
}

interface Open {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

function attributesOf(source: string, at: number): { attributes: Record<string, string>; selfClosing: boolean } {
  const attributes: Record<string, string> = {};
  let rest = source;
  const selfClosing = rest.endsWith('/');
  if (selfClosing) rest = rest.slice(0, -1);
  for (;;) {
    rest = rest.replace(/^\s+/, '');
    if (rest === '') return { attributes, selfClosing };
    const m = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(rest);
    if (!m || m[1] === undefined) throw new Error(`a malformed attribute at ${at}: ${rest.slice(0, 40)}`);
    if (m[1] in attributes) throw new Error(`attribute ${m[1]} twice at ${at}`);
    attributes[m[1]] = decode(m[3] ?? m[4] ?? '', at);
    rest = rest.slice(m[0].length);
    if (rest !== '' && !/^\s/.test(rest)) throw new Error(`no space between attributes at ${at}`);
  }
}

export function parseXml(text: string): XmlElement {
  let i = text.startsWith('<?xml') ? text.indexOf('?>') + 2 : 0;
  if (i === 1) throw new Error('an unclosed XML declaration');
  const stack: Open[] = [];
  let root: XmlElement | null = null;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    const top = stack.at(-1);
    if (top) top.text += decode(chunk, i);
    else if (chunk.trim() !== '') throw new Error(`text outside the root at ${i}`);
    if (lt === -1) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end === -1) throw new Error(`an unclosed comment at ${lt}`);
      i = end + 3;
      continue;
    }
    const gt = text.indexOf('>', lt);
    if (gt === -1) throw new Error(`an unclosed tag at ${lt}`);
    const inner = text.slice(lt + 1, gt);
    i = gt + 1;
    if (inner.startsWith('/')) {
      const name = inner.slice(1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes ${open ? `<${open.name}>` : 'nothing'} at ${lt}`);
      const done: XmlElement = { name: open.name, attributes: open.attributes, children: open.children, text: open.text };
      const parent = stack.at(-1);
      if (parent) parent.children.push(done);
      else root = done;
      continue;
    }
    const name = NAME.exec(inner)?.[0];
    if (!name) throw new Error(`a malformed tag at ${lt}: <${inner.slice(0, 40)}>`);
    if (stack.length === 0 && root !== null) throw new Error(`a second root <${name}> at ${lt}`);
    const { attributes, selfClosing } = attributesOf(inner.slice(name.length), lt);
    if (selfClosing) {
      const done: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack.at(-1);
      if (parent) parent.children.push(done);
      else root = done;
    } else {
      stack.push({ name, attributes, children: [], text: '' });
    }
  }
  const unclosed = stack.at(-1);
  if (unclosed) throw new Error(`<${unclosed.name}> is never closed`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element under `e` (itself included), depth first. */
export function descendants(e: XmlElement): XmlElement[] {
  return [e, ...e.children.flatMap(descendants)];
}
