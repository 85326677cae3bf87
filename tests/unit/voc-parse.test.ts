import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseVocXml, serializeVocXml, VocParseError } from '../../shared/voc';

const datasets = fileURLToPath(new URL('../../../shared/datasets/', import.meta.url));
const fixtures = join(datasets, 'voc-parser-fixtures');
const raccoon = join(datasets, 'detection-voc/raccoon/annotations');
const read = (p: string) => readFileSync(p, 'utf8');

function xmlFiles(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) xmlFiles(p, out);
    else if (n.endsWith('.xml')) out.push(p);
  }
  return out;
}

test('every fixture and every raccoon file parses', () => {
  const files = [...xmlFiles(fixtures), ...xmlFiles(raccoon)];
  assert.ok(files.length >= 300, `found only ${files.length} files`);
  for (const f of files) assert.doesNotThrow(() => parseVocXml(read(f), f), f);
});

test('LabelImg files round-trip byte for byte', () => {
  for (const f of xmlFiles(raccoon)) assert.equal(serializeVocXml(parseVocXml(read(f), f)), read(f), f);
});

test('LabelImg fields: verified, folder, path, size, truncated', () => {
  const a = parseVocXml(read(join(raccoon, 'raccoon-1.xml')));
  assert.equal(a.verified, true);
  assert.equal(a.folder, 'images');
  assert.equal(a.filename, 'raccoon-1.jpg');
  assert.deepEqual(a.size, { width: 650, height: 417, depth: 3 });
  assert.deepEqual(a.objects[0]!.bndbox, { xmin: 81, ymin: 88, xmax: 522, ymax: 408 });
  assert.equal(a.objects[0]!.difficult, false);
});

test('CVAT float coordinates and empty depth', () => {
  const a = parseVocXml(read(join(fixtures, 'cvat-voc-export-voc2012-sample100/Annotations/2007_000733.xml')));
  assert.deepEqual(a.size, { width: 450, height: 435 });
  assert.equal(a.objects.length, 2);
  assert.equal(a.objects[0]!.difficult, undefined);
  assert.deepEqual(a.objects[1]!.bndbox, { xmin: 103, ymin: 201, xmax: 448, ymax: 435 });
  assert.ok(serializeVocXml(a).includes('<occluded>0</occluded>'), 'unknown <occluded> survives');
});

test('Roboflow bndbox order xmin,xmax,ymin,ymax reads by name', () => {
  const a = parseVocXml(read(join(fixtures, 'datumaro-roboflow-voc/train/train_001.xml')));
  assert.deepEqual(a.objects[0]!.bndbox, { xmin: 2, ymin: 1, xmax: 5, ymax: 2 });
});

test('<part>, <actions> and missing pose survive a round trip', () => {
  const a = parseVocXml(read(join(fixtures, 'datumaro-voc/voc_dataset1/Annotations/2007_000001.xml')));
  assert.equal(a.objects[1]!.pose, undefined);
  const again = parseVocXml(serializeVocXml(a));
  assert.deepEqual(again.objects[1]!.extras, a.objects[1]!.extras);
  const xml = serializeVocXml(a);
  assert.match(xml, /<part>\s*<name>head<\/name>\s*<bndbox>\s*<xmin>5\.5<\/xmin>/);
  assert.match(xml, /<takingphoto>1<\/takingphoto>/);
});

test('no <size>, comment, zero objects', () => {
  const a = parseVocXml(read(join(fixtures, 'datumaro-voc/voc_dataset2/Annotations/@.xml')));
  assert.equal(a.size, undefined);
  assert.equal(a.objects.length, 0);
  assert.match(serializeVocXml(a), /<!--[\s\S]*datumaro\/issues\/658[\s\S]*-->/);
});

test('unknown elements and attributes survive load → edit → save', () => {
  const xml = `<annotation verified="no" owner="me"><filename>x.jpg</filename><size><width>10</width><height>10</height><depth>3</depth></size>
    <custom a="1"><inner>t</inner></custom>
    <object id="7"><name>a</name><score>0.9</score><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>`;
  const a = parseVocXml(xml);
  assert.equal(a.verified, false);
  a.objects[0]!.bndbox.xmax = 6;
  a.objects.push({ name: 'b', bndbox: { xmin: 0, ymin: 0, xmax: 2, ymax: 2 }, extras: [] });
  const out = serializeVocXml(a);
  const b = parseVocXml(out);
  assert.deepEqual(b.attrs, { verified: 'no', owner: 'me' });
  a.verified = true;
  assert.match(serializeVocXml(a), /^<annotation verified="yes" owner="me">/);
  assert.match(out, /<custom a="1">\s*<inner>t<\/inner>\s*<\/custom>/);
  assert.match(out, /<object id="7">/);
  assert.match(out, /<score>0\.9<\/score>/);
  assert.equal(b.objects[0]!.bndbox.xmax, 6);
  assert.equal(b.objects.length, 2);
});

test('XML-hostile class names are escaped and read back unchanged', () => {
  const name = `a<b & "c" 'd'>`;
  const a = parseVocXml('<annotation><filename>x.jpg</filename></annotation>');
  a.objects.push({ name, bndbox: { xmin: 1, ymin: 1, xmax: 3, ymax: 3 }, extras: [] });
  assert.equal(parseVocXml(serializeVocXml(a)).objects[0]!.name, name);
});

test('serializer rounds and clamps coordinates into the image', () => {
  const a = parseVocXml('<annotation><size><width>100</width><height>50</height></size></annotation>');
  a.objects.push({ name: 'a', bndbox: { xmin: -4.2, ymin: 10.6, xmax: 130, ymax: 49.4 }, extras: [] });
  const b = parseVocXml(serializeVocXml(a));
  assert.deepEqual(b.objects[0]!.bndbox, { xmin: 0, ymin: 11, xmax: 100, ymax: 49 });
});

test('malformed files throw VocParseError naming file and reason', () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['<annotation><object></annotation>', /malformed XML/],
    ['<notvoc></notvoc>', /expected <annotation>/],
    ['<annotation><a></b></annotation>', /<\/b> closes <a>/],
    ['<annotation></annotation><annotation></annotation>', /more than one root/],
    ['<annotation><!-- open </annotation>', /unclosed comment/],
    ['<annotation>\n<name>a < b</name></annotation>', /line 2: invalid tag/],
    ['<annotation><folder>x</folder>', /<annotation> is never closed/],
    ['<annotation><object><name>a</name><bndbox><xmin>x</xmin><ymin>1</ymin><xmax>2</xmax><ymax>2</ymax></bndbox></object></annotation>', /not a number/],
    ['<annotation><object><name>a</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>2</xmax></bndbox></object></annotation>', /no <ymax>/],
  ];
  for (const [xml, reason] of cases) {
    assert.throws(() => parseVocXml(xml, 'dir/bad.xml'), (e: unknown) => {
      assert.ok(e instanceof VocParseError);
      assert.equal(e.file, 'dir/bad.xml');
      assert.match(e.message, /^dir\/bad\.xml: /);
      assert.match(e.reason, reason);
      return true;
    });
  }
});
