/**
 * VocAnnotation → Pascal VOC XML in LabelImg's layout, so LabelImg opens what we write:
 *
 *   <annotation verified="yes">          (attribute only when verified)
 *   \t<folder/filename/path/source/size/segmented>   (in this order; tab indentation)
 *   \t<object> name, pose, truncated, difficult, bndbox(xmin, ymin, xmax, ymax) </object>
 *   </annotation>\n                      (no XML declaration, like LabelImg's lxml output, unless
 *                                        the file was read in another encoding than UTF-8)
 *
 * Coordinates are written as integers, rounded and clamped into [0, width] × [0, height] when
 * the size is known. Missing pose/truncated/difficult get LabelImg's defaults (Unspecified/0/0),
 * a missing `<source>` gets `<database>Unknown</database>`. Unknown elements, attributes and
 * comments kept by the parser are written back: top-level extras after `<segmented>`, object
 * extras after `<bndbox>`.
 */
import { ATTR_PREFIX, tagOf } from './parse';
import type { VocAnnotation, VocBndBox, VocObject, XmlElement, XmlNode } from './model';

// Characters XML 1.0 does not allow at all (C0 controls but tab, LF, CR; lone surrogates aside).
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXmlText(s: string): string {
  return s.replace(INVALID_XML_CHARS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeXmlAttr(s: string): string {
  return escapeXmlText(s).replace(/"/g, '&quot;');
}

function attrString(attrs: Record<string, string> | undefined): string {
  if (!attrs) return '';
  let s = '';
  for (const [k, v] of Object.entries(attrs)) s += ` ${k}="${escapeXmlAttr(v)}"`;
  return s;
}

function leaf(indent: string, tag: string, text: string): string {
  return `${indent}<${tag}>${escapeXmlText(text)}</${tag}>\n`;
}

/** Writes one raw node kept by the parser, indented with tabs. */
export function writeRawNode(node: XmlNode, indent: string): string {
  if ('#comment' in node) {
    const text = (node as { '#comment': XmlNode[] })['#comment'].map((t) => ('#text' in t ? String(t['#text']) : '')).join('');
    return `${indent}<!--${text.replace(/--/g, '- -')}-->\n`;
  }
  if ('#text' in node) return `${indent}${escapeXmlText(String((node as { '#text': unknown })['#text']))}\n`;
  const tag = tagOf(node);
  if (!tag) return '';
  const rawAttrs = (node as XmlElement)[':@'];
  let attrs = '';
  if (rawAttrs) {
    for (const [k, v] of Object.entries(rawAttrs)) {
      const name = k.startsWith(ATTR_PREFIX) ? k.slice(ATTR_PREFIX.length) : k;
      attrs += ` ${name}="${escapeXmlAttr(String(v))}"`;
    }
  }
  const children = (node as XmlElement)[tag] ?? [];
  if (children.length === 0) return `${indent}<${tag}${attrs}></${tag}>\n`;
  if (children.length === 1 && '#text' in children[0]!) {
    return `${indent}<${tag}${attrs}>${escapeXmlText(String((children[0] as { '#text': unknown })['#text']))}</${tag}>\n`;
  }
  let s = `${indent}<${tag}${attrs}>\n`;
  for (const c of children) s += writeRawNode(c, indent + '\t');
  return s + `${indent}</${tag}>\n`;
}

function clampInt(v: number, max: number | undefined): number {
  const r = Math.round(v);
  const lo = Math.max(0, r);
  return max === undefined ? lo : Math.min(lo, Math.round(max));
}

/** Integer box clamped into the image (when its size is known), min/max put in order. */
export function toIntegerBox(b: VocBndBox, width?: number, height?: number): VocBndBox {
  const x1 = clampInt(b.xmin, width);
  const x2 = clampInt(b.xmax, width);
  const y1 = clampInt(b.ymin, height);
  const y2 = clampInt(b.ymax, height);
  return { xmin: Math.min(x1, x2), ymin: Math.min(y1, y2), xmax: Math.max(x1, x2), ymax: Math.max(y1, y2) };
}

function writeObject(o: VocObject, width: number | undefined, height: number | undefined): string {
  const b = toIntegerBox(o.bndbox, width, height);
  let s = `\t<object${attrString(o.id !== undefined ? { id: o.id, ...o.attrs } : o.attrs)}>\n`;
  s += leaf('\t\t', 'name', o.name);
  s += leaf('\t\t', 'pose', o.pose ?? 'Unspecified');
  s += leaf('\t\t', 'truncated', o.truncated ? '1' : '0');
  s += leaf('\t\t', 'difficult', o.difficult ? '1' : '0');
  s += '\t\t<bndbox>\n';
  s += leaf('\t\t\t', 'xmin', String(b.xmin));
  s += leaf('\t\t\t', 'ymin', String(b.ymin));
  s += leaf('\t\t\t', 'xmax', String(b.xmax));
  s += leaf('\t\t\t', 'ymax', String(b.ymax));
  s += '\t\t</bndbox>\n';
  for (const e of o.extras) s += writeRawNode(e, '\t\t');
  return s + '\t</object>\n';
}

/** Serializes an annotation in LabelImg's layout (see the module comment). */
export function serializeVocXml(ann: VocAnnotation): string {
  // `verified` first, like LabelImg; a kept verified="no" is dropped once the image is verified.
  const { verified: keptVerified, ...otherAttrs } = ann.attrs ?? {};
  const verifiedAttr = ann.verified ? 'yes' : keptVerified;
  const attrs: Record<string, string> = { ...(verifiedAttr !== undefined ? { verified: verifiedAttr } : {}), ...otherAttrs };
  // a file read in another encoding says so, and is written back in it (main/dataset/xml-file.ts)
  let s = ann.encoding && ann.encoding !== 'UTF-8' ? `<?xml version="1.0" encoding="${escapeXmlAttr(ann.encoding)}"?>\n` : '';
  s += `<annotation${attrString(attrs)}>\n`;
  s += leaf('\t', 'folder', ann.folder ?? '');
  s += leaf('\t', 'filename', ann.filename ?? '');
  if (ann.path !== undefined) s += leaf('\t', 'path', ann.path);
  if (ann.source && ann.source.length) {
    s += '\t<source>\n';
    for (const c of ann.source) s += writeRawNode(c, '\t\t');
    s += '\t</source>\n';
  } else {
    s += '\t<source>\n\t\t<database>Unknown</database>\n\t</source>\n';
  }
  const size = ann.size;
  if (size) {
    s += '\t<size>\n';
    s += leaf('\t\t', 'width', String(Math.round(size.width)));
    s += leaf('\t\t', 'height', String(Math.round(size.height)));
    s += leaf('\t\t', 'depth', size.depth === undefined ? '3' : String(size.depth));
    s += '\t</size>\n';
  }
  s += leaf('\t', 'segmented', ann.segmented ?? '0');
  for (const e of ann.extras) {
    if (size && tagOf(e) === 'size') continue; // an unusable <size> kept raw is replaced by the real one
    s += writeRawNode(e, '\t');
  }
  for (const o of ann.objects) s += writeObject(o, size?.width, size?.height);
  return s + '</annotation>\n';
}
