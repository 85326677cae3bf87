/**
 * Tracks on video frames (shared/dataset/tracks.ts, track-association.ts): keyframe interpolation,
 * draft replacement and acceptance, and ByteTrack-style two-round association.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BoxAnnotation } from '../../shared/dataset/types';
import { acceptTrackDrafts, interpolateTrack, nextTrackId, replaceTrackDrafts, type TrackFrame } from '../../shared/dataset/tracks';
import { associate, startTrack, stepTracks, type TrackDetection } from '../../shared/dataset/track-association';
import { cornersIou } from '../../shared/dataset/convert';
import { frameFileName, framePickProblem, frameStem } from '../../shared/dataset/video-frames';

const box = (xmin: number, ymin: number, xmax: number, ymax: number, extra: Partial<BoxAnnotation> = {}): BoxAnnotation =>
  ({ label: 'car', xmin, ymin, xmax, ymax, difficult: false, truncated: false, ...extra });
const frame = (i: number, time: number, boxes: BoxAnnotation[] = []): TrackFrame => ({ imageId: `f${i}.jpg`, time, boxes });

test('interpolation: boxes between two keyframes move linearly with the frames\' times; outside the keyframes nothing', () => {
  const frames = [
    frame(0, 0),
    frame(1, 1, [box(0, 0, 10, 10, { track: 2, key: 'k1' })]),
    frame(2, 2, [box(50, 50, 60, 60, { track: 1 })]), // another track: ignored
    frame(3, 3),
    frame(4, 5, [box(40, 20, 60, 50, { track: 2 })]),
    frame(5, 6),
  ];
  const out = interpolateTrack(frames, 2);
  assert.deepEqual(out.map((d) => d.imageId), ['f2.jpg', 'f3.jpg']);
  // f2 is 1/4 of the way (time 2 between 1 and 5), f3 half way (time 3)
  assert.deepEqual(out.map((d) => [d.box.xmin, d.box.ymin, d.box.xmax, d.box.ymax]), [[10, 5, 22.5, 20], [20, 10, 35, 30]]);
  for (const d of out) {
    assert.equal(d.box.track, 2);
    assert.equal(d.box.draft, true);
    assert.equal(d.box.label, 'car');
    assert.equal(d.box.key, undefined, 'a draft gets its own id, not the keyframe\'s');
  }
});

test('interpolation: draft boxes of the track are no keyframes; three keyframes give two spans; one keyframe gives nothing', () => {
  const frames = [
    frame(0, 0, [box(0, 0, 10, 10, { track: 1 })]),
    frame(1, 1, [box(99, 99, 100, 100, { track: 1, draft: true })]),
    frame(2, 2, [box(20, 0, 30, 10, { track: 1 })]),
    frame(3, 3),
    frame(4, 4, [box(20, 20, 30, 30, { track: 1 })]),
  ];
  const out = interpolateTrack([...frames].reverse(), 1); // order of the input does not matter
  assert.deepEqual(out.map((d) => [d.imageId, d.box.xmin, d.box.ymin]), [['f1.jpg', 10, 0], ['f3.jpg', 20, 10]]);
  assert.deepEqual(interpolateTrack([frames[0]!, frames[3]!], 1), []);
});

test('track drafts: replaced per track, accepted per track, new track numbers above the highest', () => {
  const boxes = [box(0, 0, 5, 5, { track: 1 }), box(1, 1, 6, 6, { track: 1, draft: true, key: 'old' }), box(2, 2, 7, 7, { track: 2, draft: true })];
  const replaced = replaceTrackDrafts(boxes, 1, [box(3, 3, 8, 8)]);
  assert.deepEqual(replaced.map((b) => [b.track, b.draft ?? false, b.xmin]), [[1, false, 0], [2, true, 2], [1, true, 3]]);
  const accepted = acceptTrackDrafts(replaced, 1)!;
  assert.deepEqual(accepted.map((b) => [b.track, b.draft ?? false]), [[1, false], [2, true], [1, false]]);
  assert.equal(acceptTrackDrafts(accepted, 1), null, 'no drafts of the track: nothing to write');
  assert.equal(nextTrackId([{ boxes }, { boxes: [box(0, 0, 1, 1, { track: 7 })] }]), 8);
  assert.equal(nextTrackId([{ boxes: [box(0, 0, 1, 1)] }]), 1);
});

const det = (xmin: number, ymin: number, xmax: number, ymax: number, score: number, label = 'car'): TrackDetection => ({ xmin, ymin, xmax, ymax, score, label });

test('association: confident detections first, then low-score ones for the tracks left; class must agree', () => {
  const a = startTrack(1, 'car', { xmin: 0, ymin: 0, xmax: 10, ymax: 10 });
  const b = startTrack(2, 'car', { xmin: 100, ymin: 100, xmax: 120, ymax: 120 });
  const c = startTrack(3, 'person', { xmin: 200, ymin: 0, xmax: 220, ymax: 40 });
  const dets = [
    det(1, 0, 11, 10, 0.9), // a, confident
    det(101, 101, 121, 121, 0.3), // b, low score but very close: second round
    det(200, 0, 220, 40, 0.95, 'car'), // c's place but another class: no match
    det(300, 300, 310, 310, 0.05), // below the low threshold: ignored
  ];
  const r = associate([a, b, c], dets);
  assert.deepEqual([...r.matches.entries()].sort(), [[1, 0], [2, 1]]);
  assert.deepEqual(r.unmatchedTracks, [3]);
  assert.deepEqual(r.unmatchedDetections, [2]);
  // a low-score detection that only loosely overlaps is not taken (stricter IoU in round two)
  const loose = associate([b], [det(110, 110, 130, 130, 0.3)]);
  assert.equal(loose.matches.size, 0);
  assert.ok(cornersIou(b.box, det(110, 110, 130, 130, 0.3)) > 0.1);
});

test('association: greedy by IoU, each detection to one track', () => {
  const t1 = startTrack(1, 'car', { xmin: 0, ymin: 0, xmax: 10, ymax: 10 });
  const t2 = startTrack(2, 'car', { xmin: 4, ymin: 0, xmax: 14, ymax: 10 });
  const r = associate([t1, t2], [det(4, 0, 14, 10, 0.9), det(0, 0, 10, 10, 0.8)]);
  assert.deepEqual([...r.matches.entries()].sort(), [[1, 1], [2, 0]]);
});

test('tracking steps: a moving object is followed with its velocity across a missed frame; a track lost too long ends', () => {
  let tracks = [startTrack(1, 'car', { xmin: 0, ymin: 0, xmax: 20, ymax: 20 })];
  const seen: (number | null)[] = [];
  const frames: TrackDetection[][] = [
    [det(10, 0, 30, 20, 0.9)],
    [det(20, 0, 40, 20, 0.9)],
    [], // missed
    [det(40, 0, 60, 20, 0.9)], // two steps on: IoU with the last box is 0, with the prediction 1
    [], [], [], [], // lost for longer than maxLost (3)
    [det(40, 0, 60, 20, 0.9)],
  ];
  for (const dets of frames) {
    const step = stepTracks(tracks, dets);
    tracks = step.tracks;
    seen.push(step.found.get(1)?.xmin ?? null);
  }
  assert.deepEqual(seen, [10, 20, null, 40, null, null, null, null, null]);
  assert.equal(tracks.length, 0);
});

test('frame names and pick options', () => {
  assert.equal(frameStem('/videos/My clip (1).MP4'), 'My_clip_1_');
  assert.equal(frameFileName('car', 123), 'car_000123.jpg');
  assert.equal(framePickProblem({ every: 5, start: 1, end: 2 }), null);
  assert.match(framePickProblem({ every: 0 }) ?? '', /every must be a whole number/);
  assert.match(framePickProblem({ start: 3, end: 2 }) ?? '', /must come after start/);
  assert.match(framePickProblem({ minChange: 2 }) ?? '', /between 0 and 1/);
});

test('editor commands: a drawn box joins the active track; setTrack accepts a draft as a keyframe; replaceTrackDrafts swaps only those tracks\' drafts', async () => {
  const { applyCommand } = await import('../../renderer/store/label/commands');
  const doc = { verified: false, boxes: [box(0, 0, 5, 5, { key: 'a', track: 1 }), box(1, 1, 6, 6, { key: 'd', draft: true }), box(2, 2, 7, 7, { key: 'e', track: 2, draft: true }), box(3, 3, 8, 8, { key: 'f', track: 3, draft: true })] };
  const drawn = applyCommand(doc, { type: 'add', rect: { x: 10, y: 10, width: 5, height: 5 }, label: 'car', track: 4 })!;
  assert.equal(drawn.doc.boxes.at(-1)!.track, 4);
  const keyed = applyCommand(doc, { type: 'setTrack', id: 'd', track: 5 })!;
  assert.deepEqual(keyed.doc.boxes.find((b) => b.key === 'd'), box(1, 1, 6, 6, { key: 'd', track: 5 }));
  const left = applyCommand(doc, { type: 'setTrack', id: 'a', track: null })!;
  assert.equal(left.doc.boxes.find((b) => b.key === 'a')!.track, undefined);
  const swapped = applyCommand(doc, { type: 'replaceTrackDrafts', tracks: [2], boxes: [box(9, 9, 19, 19, { track: 2 })] })!;
  assert.deepEqual(swapped.doc.boxes.map((b) => [b.track ?? null, b.draft ?? false, b.xmin]), [[1, false, 0], [null, true, 1], [3, true, 3], [2, true, 9]]);
  assert.ok(swapped.doc.boxes.at(-1)!.key, 'the new draft has an id');
});
