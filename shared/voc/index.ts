/**
 * Pascal VOC XML model, parser and LabelImg-compatible serializer. Pure TypeScript (no Node,
 * no DOM): usable in main/, the renderer and the metrics code.
 *
 *   parseVocXml(xml, source?) → VocAnnotation   (throws VocParseError naming file and reason)
 *   serializeVocXml(ann)      → string          (LabelImg layout, integer clamped coordinates)
 */
export * from './model';
export { parseVocXml, tagOf } from './parse';
export { serializeVocXml, toIntegerBox, escapeXmlText, escapeXmlAttr } from './serialize';
