/**
 * "CVAT for images 1.1" annotations.xml, as CVAT exports a task: <meta> with the labels (each
 * with `difficult` and `truncated` checkbox attributes, so CVAT keeps those flags on import),
 * then one <image> per photo with its <box> elements; the split is the image's subset (Train,
 * Validation, Test). Pure.
 */
import { escapeXmlAttr, escapeXmlText } from '../voc/serialize';
import type { Split } from './types';
import type { ExportBox } from './labelme-format';

export interface CvatImage {
  name: string;
  width: number;
  height: number;
  split?: Split;
  boxes: readonly ExportBox[];
}

const SUBSETS: Record<Split, string> = { train: 'Train', val: 'Validation', test: 'Test' };
const n2 = (v: number) => v.toFixed(2);

function checkbox(name: string): string {
  return `          <attribute>\n            <name>${name}</name>\n            <mutable>False</mutable>\n            <input_type>checkbox</input_type>\n            <default_value>false</default_value>\n            <values>false\ntrue</values>\n          </attribute>\n`;
}

export function cvatXml(taskName: string, classes: readonly string[], images: readonly CvatImage[]): string {
  const labels = classes
    .map((c) => `        <label>\n          <name>${escapeXmlText(c)}</name>\n          <type>rectangle</type>\n          <attributes>\n${checkbox('difficult')}${checkbox('truncated')}          </attributes>\n        </label>\n`)
    .join('');
  const subsets = [...new Set(images.map((i) => (i.split ? SUBSETS[i.split] : 'default')))];
  const body = images.map((im, id) => {
    const boxes = im.boxes.map((b) =>
      `    <box label="${escapeXmlAttr(b.label)}" source="manual" occluded="0" xtl="${n2(b.xmin)}" ytl="${n2(b.ymin)}" xbr="${n2(b.xmax)}" ybr="${n2(b.ymax)}" z_order="0">\n` +
      `      <attribute name="difficult">${b.difficult ? 'true' : 'false'}</attribute>\n` +
      `      <attribute name="truncated">${b.truncated ? 'true' : 'false'}</attribute>\n` +
      '    </box>\n').join('');
    return `  <image id="${id}" name="${escapeXmlAttr(im.name)}" subset="${im.split ? SUBSETS[im.split] : 'default'}" width="${im.width}" height="${im.height}">\n${boxes}  </image>\n`;
  }).join('');
  return '<?xml version="1.0" encoding="utf-8"?>\n<annotations>\n  <version>1.1</version>\n  <meta>\n    <task>\n' +
    `      <name>${escapeXmlText(taskName)}</name>\n      <size>${images.length}</size>\n      <mode>annotation</mode>\n      <overlap>0</overlap>\n` +
    `      <subsets>${escapeXmlText(subsets.join('\n'))}</subsets>\n      <labels>\n${labels}      </labels>\n    </task>\n  </meta>\n${body}</annotations>\n`;
}
