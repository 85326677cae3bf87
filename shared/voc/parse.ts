/**
 * Pascal VOC XML → VocAnnotation. Accepts LabelImg files and the variants other tools write:
 * float coordinates, missing `<size>`, missing pose/truncated/difficult, empty `<depth>`,
 * bndbox children in any order (Roboflow writes xmin,xmax,ymin,ymax), `<part>` children,
 * comments and unknown elements (kept raw, see model.ts). Malformed XML, a root that is not
 * `<annotation>`, or a bndbox with a missing or non-numeric coordinate throw VocParseError
 * naming the file and the reason.
 */
import { XMLParser } from 'fast-xml-parser';
import { wellFormedProblem } from './well-formed';
import {
  VocParseError,
  type VocAnnotation,
  type VocBndBox,
  type VocObject,
  type VocSize,
  type XmlElement,
  type XmlNode,
} from './model';
import { errorMessage } from '../error-message';

export const ATTR_PREFIX = '@_';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  commentPropName: '#comment',
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

/** The tag name of an element node, or undefined for text and comments. */
export function tagOf(node: XmlNode): string | undefined {
  for (const k of Object.keys(node)) if (k !== ':@' && k !== '#text' && k !== '#comment') return k;
  return undefined;
}

function childrenOf(node: XmlNode, tag: string): XmlNode[] {
  return (node as XmlElement)[tag] ?? [];
}

/** Text content of an element (concatenated direct text children), '' when empty. */
function textOf(children: XmlNode[]): string {
  let s = '';
  for (const c of children) if ('#text' in c) s += String((c as { '#text': unknown })['#text']);
  return s;
}

function attrsOf(node: XmlNode, skip?: string): Record<string, string> | undefined {
  const raw = (node as XmlElement)[':@'];
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const [k, v] of Object.entries(raw)) {
    const name = k.startsWith(ATTR_PREFIX) ? k.slice(ATTR_PREFIX.length) : k;
    if (name === skip) continue;
    out[name] = String(v);
    any = true;
  }
  return any ? out : undefined;
}

function num(text: string, what: string, file: string | undefined): number {
  const t = text.trim();
  const v = t === '' ? NaN : Number(t);
  if (!Number.isFinite(v)) throw new VocParseError(`${what} is not a number: "${t}"`, file);
  return v;
}

function flag(text: string): boolean {
  const t = text.trim().toLowerCase();
  return t === '1' || t === 'true' || t === 'yes';
}

function parseBndBox(children: XmlNode[], where: string, file: string | undefined): VocBndBox {
  const got: Partial<Record<keyof VocBndBox, number>> = {};
  for (const c of children) {
    const tag = tagOf(c);
    if (tag === 'xmin' || tag === 'ymin' || tag === 'xmax' || tag === 'ymax') {
      got[tag] = num(textOf(childrenOf(c, tag)), `${where} <${tag}>`, file);
    }
  }
  for (const k of ['xmin', 'ymin', 'xmax', 'ymax'] as const) {
    if (got[k] === undefined) throw new VocParseError(`${where} <bndbox> has no <${k}>`, file);
  }
  return got as VocBndBox;
}

function parseSize(children: XmlNode[], file: string | undefined): VocSize | undefined {
  let width: number | undefined;
  let height: number | undefined;
  let depth: number | undefined;
  for (const c of children) {
    const tag = tagOf(c);
    const t = tag ? textOf(childrenOf(c, tag)).trim() : '';
    if (tag === 'width' && t !== '') width = num(t, '<size><width>', file);
    else if (tag === 'height' && t !== '') height = num(t, '<size><height>', file);
    else if (tag === 'depth' && t !== '') depth = num(t, '<size><depth>', file);
  }
  // A size of 0 x 0 (some exporters) carries no information: treat as missing.
  if (width === undefined || height === undefined || width <= 0 || height <= 0) return undefined;
  return depth === undefined ? { width, height } : { width, height, depth };
}

function parseObject(node: XmlNode, index: number, file: string | undefined): VocObject | string {
  const children = childrenOf(node, 'object');
  const where = `object #${index + 1}`;
  let name: string | undefined;
  let pose: string | undefined;
  let truncated: boolean | undefined;
  let difficult: boolean | undefined;
  let bndbox: VocBndBox | undefined;
  const extras: XmlNode[] = [];
  for (const c of children) {
    const tag = tagOf(c);
    if (tag === 'name' && name === undefined) name = textOf(childrenOf(c, tag)).trim();
    else if (tag === 'pose' && pose === undefined) pose = textOf(childrenOf(c, tag));
    else if (tag === 'truncated' && truncated === undefined) truncated = flag(textOf(childrenOf(c, tag)));
    else if (tag === 'difficult' && difficult === undefined) difficult = flag(textOf(childrenOf(c, tag)));
    else if (tag === 'bndbox' && bndbox === undefined) bndbox = parseBndBox(childrenOf(c, tag), where, file);
    else extras.push(c);
  }
  if (bndbox === undefined) return `${where} has no <bndbox>; kept as is`;
  if (name === undefined || name === '') throw new VocParseError(`${where} has no <name>`, file);
  const obj: VocObject = { name, bndbox, extras };
  if (pose !== undefined) obj.pose = pose;
  if (truncated !== undefined) obj.truncated = truncated;
  if (difficult !== undefined) obj.difficult = difficult;
  const rawId = (node as XmlElement)[':@']?.[`${ATTR_PREFIX}id`];
  const id = rawId === undefined ? '' : String(rawId).trim();
  if (id !== '') obj.id = id;
  const attrs = attrsOf(node, id !== '' ? 'id' : undefined);
  if (attrs) obj.attrs = attrs;
  return obj;
}

/**
 * Parses one VOC XML document. `source` (a file path or name) only labels error messages.
 * @throws VocParseError with the file and the reason.
 */
export function parseVocXml(xml: string, source?: string): VocAnnotation {
  if (xml.trim() === '') throw new VocParseError('file is empty', source);
  const problem = wellFormedProblem(xml);
  if (problem) throw new VocParseError(problem, source);
  let doc: XmlNode[];
  try {
    doc = parser.parse(xml) as XmlNode[];
  } catch (err) {
    throw new VocParseError(`malformed XML: ${errorMessage(err)}`, source);
  }
  const rootNode = doc.find((n) => tagOf(n) !== undefined);
  const rootTag = rootNode ? tagOf(rootNode) : undefined;
  if (!rootNode || rootTag !== 'annotation') {
    throw new VocParseError(`root element is <${rootTag ?? 'none'}>, expected <annotation>`, source);
  }
  const verifiedRaw = (rootNode as XmlElement)[':@']?.[`${ATTR_PREFIX}verified`];
  const verified = verifiedRaw !== undefined && flag(String(verifiedRaw));
  // verified="no" (older LabelImg) stays in attrs so an unedited file writes back the same.
  const rootAttrs = attrsOf(rootNode, verified ? 'verified' : undefined);
  const ann: VocAnnotation = {
    verified,
    objects: [],
    extras: [],
  };
  if (rootAttrs) ann.attrs = rootAttrs;
  const warnings: string[] = [];
  let objectIndex = 0;
  let sawFolder = false;
  let sawFilename = false;
  let sawPath = false;
  for (const c of childrenOf(rootNode, 'annotation')) {
    const tag = tagOf(c);
    if (tag === 'folder' && !sawFolder) { sawFolder = true; ann.folder = textOf(childrenOf(c, tag)); }
    else if (tag === 'filename' && !sawFilename) { sawFilename = true; ann.filename = textOf(childrenOf(c, tag)); }
    else if (tag === 'path' && !sawPath) { sawPath = true; ann.path = textOf(childrenOf(c, tag)); }
    else if (tag === 'source' && ann.source === undefined) ann.source = childrenOf(c, tag);
    else if (tag === 'size' && ann.size === undefined) {
      const size = parseSize(childrenOf(c, tag), source);
      if (size) ann.size = size;
      else { warnings.push('<size> has no usable width/height'); ann.extras.push(c); }
    } else if (tag === 'segmented' && ann.segmented === undefined) ann.segmented = textOf(childrenOf(c, tag));
    else if (tag === 'object') {
      const obj = parseObject(c, objectIndex++, source);
      if (typeof obj === 'string') { warnings.push(obj); ann.extras.push(c); }
      else ann.objects.push(obj);
    } else ann.extras.push(c);
  }
  if (warnings.length) ann.warnings = warnings;
  return ann;
}
