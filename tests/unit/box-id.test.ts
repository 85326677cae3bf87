import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { newBoxId, objectIds, withBoxIds, MAX_BOX_ID } from '../../shared/dataset/box-id';
import { parseVocXml, serializeVocXml } from '../../shared/voc';

const raccoon = fileURLToPath(new URL('../../../shared/datasets/detection-voc/raccoon/annotations/', import.meta.url));

test('new box ids are short, distinct and fit the API limit', () => {
  const ids = new Set(Array.from({ length: 2000 }, () => newBoxId()));
  assert.equal(ids.size, 2000);
  for (const id of ids) assert.ok(/^b[0-9a-f]{12}$/.test(id) && id.length <= MAX_BOX_ID, id);
});

test('object ids: own ids kept, missing ones are the position, repeats and clashes made unique', () => {
  assert.deepEqual(objectIds([undefined, undefined]), ['o0', 'o1']);
  assert.deepEqual(objectIds(['b1', undefined, 'b2']), ['b1', 'o1', 'b2']);
  // a repeated id keeps the first; an id that looks like a position is not handed out twice
  assert.deepEqual(objectIds(['x', 'x']), ['x', 'o1']);
  assert.deepEqual(objectIds([undefined, 'o0']), ['o0.1', 'o0']);
  assert.deepEqual(objectIds(['a'.repeat(MAX_BOX_ID + 1)]), ['o0']);
});

test('withBoxIds gives a missing or repeated key a new id and keeps the others', () => {
  const out = withBoxIds([{ key: 'k1' }, {}, { key: 'k1' }]);
  assert.equal(out[0]!.key, 'k1');
  assert.match(out[1]!.key!, /^b[0-9a-f]{12}$/);
  assert.notEqual(out[2]!.key, 'k1');
  assert.equal(new Set(out.map((b) => b.key)).size, 3);
});

test('a VOC object id survives parse → serialize → parse; LabelImg files without ids are unchanged by the round trip', () => {
  const text = readFileSync(`${raccoon}raccoon-1.xml`, 'utf8');
  const ann = parseVocXml(text);
  assert.equal(ann.objects[0]!.id, undefined);
  assert.doesNotMatch(serializeVocXml(ann), /<object [^>]*id=/);
  ann.objects[0]!.id = 'b0123456789ab';
  ann.objects[0]!.attrs = { other: 'kept' };
  const written = serializeVocXml(ann);
  assert.match(written, /<object id="b0123456789ab" other="kept">/);
  const again = parseVocXml(written);
  assert.equal(again.objects[0]!.id, 'b0123456789ab');
  assert.deepEqual(again.objects[0]!.attrs, { other: 'kept' });
  assert.equal(serializeVocXml(again), written);
});
