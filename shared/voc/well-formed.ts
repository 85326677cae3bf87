/**
 * A fast well-formedness check for VOC-sized XML (balanced, properly nested tags; closed
 * comments, CDATA sections and processing instructions; a single root element). It replaces
 * fast-xml-parser's XMLValidator on the hot path (about 10x faster) so that 10,000 files parse
 * in well under 2 s; entity and character errors are left to the parser.
 * Returns null when well-formed, else the reason with its line number.
 */
const TAG = /<(\/?)([^\s/>!?="'<]+)(?:\s+[^\s=/>"'<]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(\/?)>/y;

function lineAt(xml: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos; i++) if (xml.charCodeAt(i) === 10) n++;
  return n;
}

export function wellFormedProblem(xml: string): string | null {
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const fail = (pos: number, why: string) => `malformed XML at line ${lineAt(xml, pos)}: ${why}`;
  for (;;) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (stack.length === 0 && text.trim() !== '') return fail(i, 'text outside the root element');
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return fail(lt, 'unclosed comment');
      i = end + 3;
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = xml.indexOf(']]>', lt + 9);
      if (end < 0) return fail(lt, 'unclosed CDATA section');
      i = end + 3;
    } else if (xml.startsWith('<?', lt)) {
      const end = xml.indexOf('?>', lt + 2);
      if (end < 0) return fail(lt, 'unclosed processing instruction');
      i = end + 2;
    } else if (xml.startsWith('<!', lt)) {
      const end = xml.indexOf('>', lt + 2);
      if (end < 0) return fail(lt, 'unclosed declaration');
      i = end + 1;
    } else {
      TAG.lastIndex = lt;
      const m = TAG.exec(xml);
      if (!m) return fail(lt, `invalid tag "${xml.slice(lt, Math.min(xml.length, lt + 30)).split('\n')[0]}"`);
      const [whole, closing, name, selfClosing] = m;
      if (closing) {
        if (selfClosing) return fail(lt, `invalid closing tag </${name}/>`);
        const open = stack.pop();
        if (open !== name) return fail(lt, open ? `</${name}> closes <${open}>` : `</${name}> has no opening tag`);
      } else if (!selfClosing) {
        if (stack.length === 0 && ++roots > 1) return fail(lt, 'more than one root element');
        stack.push(name!);
      } else if (stack.length === 0 && ++roots > 1) return fail(lt, 'more than one root element');
      i = lt + whole.length;
    }
  }
  if (stack.length) return fail(xml.length, `<${stack[stack.length - 1]}> is never closed`);
  if (roots === 0) return fail(0, 'no root element');
  return null;
}
