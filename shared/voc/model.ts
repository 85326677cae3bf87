/**
 * Typed model of one Pascal VOC annotation file, as LabelImg writes it and as other tools
 * (CVAT, Datumaro, Roboflow, X-AnyLabeling) write it. Pure TypeScript: no Node, no DOM.
 *
 * Known elements are typed fields; everything else (unknown elements such as `<occluded>`,
 * `<part>`, `<actions>`, comments, unknown attributes) is kept as raw ordered XML nodes in
 * `extras` / `attrs`, so a load → edit → save round trip loses nothing.
 *
 * Coordinates are kept exactly as read (CVAT writes `174.0`, Datumaro `5.5`); the serializer
 * writes LabelImg's integer coordinates, rounded and clamped into the image.
 */

/** One raw XML node in fast-xml-parser's `preserveOrder` shape. */
export type XmlNode = XmlElement | XmlText | XmlComment;
export interface XmlText { '#text': string }
export interface XmlComment { '#comment': XmlText[] }
/** `{ tagName: children, ':@'?: { '@_attr': value } }` */
export type XmlElement = { [tag: string]: XmlNode[] } & { ':@'?: Record<string, string> };

export interface VocBndBox {
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

export interface VocObject {
  name: string;
  /** Absent in CVAT/Datumaro files; LabelImg writes `Unspecified`. */
  pose?: string;
  truncated?: boolean;
  difficult?: boolean;
  bndbox: VocBndBox;
  /**
   * The box's stable id, `<object id="...">` (written by this app; other tools ignore the
   * attribute). Absent in files from other tools.
   */
  id?: string;
  /** Unknown attributes of `<object>` (name without prefix → value). */
  attrs?: Record<string, string>;
  /** Unknown children of `<object>` (`<part>`, `<occluded>`, `<actions>`, comments...), in order. */
  extras: XmlNode[];
}

export interface VocSize {
  width: number;
  height: number;
  /** Empty `<depth></depth>` (CVAT) reads as undefined. */
  depth?: number;
}

export interface VocAnnotation {
  /** LabelImg's `<annotation verified="yes">`. */
  verified: boolean;
  /** Other attributes of `<annotation>`; a falsy `verified` ("no") is kept here verbatim. */
  attrs?: Record<string, string>;
  folder?: string;
  filename?: string;
  path?: string;
  /** `<source>` kept raw (its children vary by tool: database, annotation, image, ...). */
  source?: XmlNode[];
  size?: VocSize;
  segmented?: string;
  objects: VocObject[];
  /** Unknown top-level children and comments, in order (written after `<segmented>`). */
  extras: XmlNode[];
  /** Things the parser accepted but a user may want to know (e.g. object without bndbox kept raw). */
  warnings?: string[];
  /**
   * The file's character encoding when it is not UTF-8 (e.g. 'ISO-8859-1', 'UTF-16LE'), set by
   * whoever decoded the bytes; the serializer then writes an XML declaration naming it, and the
   * writer encodes the text in it.
   */
  encoding?: string;
}

/** A VOC file could not be read: names the file (when known) and the reason. */
export class VocParseError extends Error {
  readonly file: string | undefined;
  readonly reason: string;
  constructor(reason: string, file?: string) {
    super(file ? `${file}: ${reason}` : reason);
    this.name = 'VocParseError';
    this.file = file;
    this.reason = reason;
  }
}
