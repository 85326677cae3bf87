/**
 * The review queue ("find label errors"): where a detector and an image's labels disagree.
 * Pure: the caller runs the model (in the page, or `detecta dataset review` in Node) and hands
 * each labeled image's boxes and detections (all of them down to a low score, e.g. 0.05, after
 * NMS) to reviewImage; rankFindings orders every image's findings into one queue.
 *
 * "Confident" is a score threshold: by default the one where the model's detections agree best
 * with the project's own labels (the F1-optimal score, calibrateConfidence), so a model that
 * scores low overall still finds errors. Scores of detections are put on one scale around it:
 * strength(s) is 0.5 at the threshold, 1 at score 1 and falls to 0 at score 0.
 *
 * Kinds of finding, for one image:
 * - duplicate: two labels of one class overlapping with IoU ≥ duplicateIou; the one the model
 *   supports less is the duplicate (fix: delete it). Score: the IoU.
 * - wrong-class: a confident detection of another class on the label (IoU ≥ 0.5) scoring more
 *   than the label's own class does there (fix: the detection's class). Score: the difference of
 *   their strengths.
 * - loose: the label's own class is detected confidently on it but the two overlap with an IoU in
 *   [matchIou, looseIou), or their centres lie more than 10 % of the label's size apart (a shifted
 *   box: a model's boxes vary more in size than in position) (fix: the detection's box). Score:
 *   the detection's strength × how loose (full at looseIou − 0.25, or a 35 % centre offset).
 * - spurious: no confident detection of the label's class on it (fix: delete the label). Score:
 *   spuriousWeight × (1 − support / confidence), support being the best same-class score there.
 *   Weighted down (below every other kind at the defaults) because a model misses real objects
 *   (its recall is below 1) far more often than people draw boxes around nothing.
 * - missing: a confident detection no label explains (none paired with it, none of any class
 *   overlapping it with IoU ≥ matchIou, none holding half of it: a part of a labeled object), one
 *   per object (fix: add its box). Score: the detection's strength. Weak detections (down to
 *   confidence × weakFactor) count too, with their lower strength; so do they for wrong classes.
 * Labels and detections are paired one to one, greedily by IoU (≥ matchIou): confident detections
 * of the label's class first, then weaker ones of its class, then any class.
 * Draft boxes (model suggestions not yet accepted) are not labels and are left out.
 */
import { naturalCompare } from './natural-sort';
import { cornersIou, type Corners } from './convert';

export const FINDING_KINDS = ['missing', 'spurious', 'wrong-class', 'loose', 'duplicate'] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

/** A box in image pixels, VOC corners. */
export type ReviewRect = Corners;

/** A label of the image (a non-draft BoxAnnotation with its stable id). */
export interface ReviewLabel extends ReviewRect {
  key: string;
  label: string;
  draft?: boolean;
}

/** A detection of the model, its class already named as the project's class. */
export interface ReviewDetection extends ReviewRect {
  label: string;
  score: number;
}

export interface ReviewFinding {
  imageId: string;
  kind: FindingKind;
  /** The label box concerned (its stable id); null for a missing box. */
  boxId: string | null;
  /** That label's class; null for a missing box. */
  label: string | null;
  /** That label's box; null for a missing box. */
  box: ReviewRect | null;
  /**
   * The model's suggestion (its box, class and score): the box to add (missing), the box to put
   * in place of the label (loose), the class to give it (wrong-class); for spurious the best
   * detection there if any (shown, not applied); null for duplicate.
   */
  suggestion: ReviewDetection | null;
  /** Duplicate: the label box it repeats. */
  twinId?: string;
  /** IoU between the label and the suggestion (or the twin); null when there is none. */
  iou: number | null;
  /** 0..1, higher = more likely a label error. */
  score: number;
}

export interface ReviewOptions {
  /** A detection scoring at least this is confident (missing, wrong class, loose). */
  confidence: number;
  /** Least IoU that pairs a label with a detection. */
  matchIou: number;
  /** A pair overlapping less than this is loose. */
  looseIou: number;
  /** Two labels of one class overlapping at least this much are duplicates. */
  duplicateIou: number;
  /** Scales spurious findings (see the file's comment). */
  spuriousWeight: number;
  /**
   * Missing boxes and wrong classes are also listed for detections down to confidence ×
   * weakFactor, ranked by their (lower) strength: a model's scores for what its training labels
   * left out or misnamed run low.
   */
  weakFactor: number;
}

export const DEFAULT_REVIEW_OPTIONS: ReviewOptions = { confidence: 0.5, matchIou: 0.3, looseIou: 0.7, duplicateIou: 0.7, spuriousWeight: 0.4, weakFactor: 0.5 };

/** Detections below this score do not matter to the review: callers may drop them. */
export const REVIEW_MIN_SCORE = 0.05;

/** The share of `a`'s area inside `b`. */
function insideShare(a: ReviewRect, b: ReviewRect): number {
  const iw = Math.min(a.xmax, b.xmax) - Math.max(a.xmin, b.xmin);
  const ih = Math.min(a.ymax, b.ymax) - Math.max(a.ymin, b.ymin);
  const area = (a.xmax - a.xmin) * (a.ymax - a.ymin);
  return iw > 0 && ih > 0 && area > 0 ? (iw * ih) / area : 0;
}

/** How far apart the centres of `b` and the label `l` are, in the label's width or height (the larger). */
function centreOffset(l: ReviewRect, b: ReviewRect): number {
  const w = Math.max(1e-9, l.xmax - l.xmin);
  const h = Math.max(1e-9, l.ymax - l.ymin);
  return Math.max(Math.abs(l.xmin + l.xmax - b.xmin - b.xmax) / (2 * w), Math.abs(l.ymin + l.ymax - b.ymin - b.ymax) / (2 * h));
}

const rectOf = (r: ReviewRect): ReviewRect => ({ xmin: r.xmin, ymin: r.ymin, xmax: r.xmax, ymax: r.ymax });
const detOf = (d: ReviewDetection): ReviewDetection => ({ ...rectOf(d), label: d.label, score: d.score });
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function checkOptions(o: ReviewOptions): void {
  const frac = (name: keyof ReviewOptions): void => {
    if (!(o[name] >= 0 && o[name] <= 1)) throw new Error(`review option ${name} must be in [0, 1], got ${o[name]}`);
  };
  for (const k of Object.keys(DEFAULT_REVIEW_OPTIONS) as (keyof ReviewOptions)[]) frac(k);
  if (o.matchIou >= o.looseIou) throw new Error(`review option matchIou (${o.matchIou}) must be below looseIou (${o.looseIou})`);
}

/** Greedy one-to-one pairing by IoU (≥ minIou) of the labels and detections not yet paired. */
function pairGreedy(labels: readonly ReviewLabel[], dets: readonly ReviewDetection[], minIou: number, sameClass: boolean,
  labelPair: Map<number, number>, detPair: Map<number, number>): void {
  const pairs: { l: number; d: number; iou: number }[] = [];
  labels.forEach((l, li) => {
    if (labelPair.has(li)) return;
    dets.forEach((d, di) => {
      if (detPair.has(di) || (sameClass && d.label !== l.label)) return;
      const iou = cornersIou(l, d);
      if (iou >= minIou) pairs.push({ l: li, d: di, iou });
    });
  });
  pairs.sort((a, b) => b.iou - a.iou || dets[b.d].score - dets[a.d].score || a.l - b.l || a.d - b.d);
  for (const p of pairs) {
    if (labelPair.has(p.l) || detPair.has(p.d)) continue;
    labelPair.set(p.l, p.d);
    detPair.set(p.d, p.l);
  }
}

/** A detection score on the review's scale: 0.5 at the confidence threshold `t`, 1 at 1, 0 at 0. */
export function strength(score: number, t: number): number {
  if (score >= t) return t >= 1 ? 1 : 0.5 + (0.5 * (score - t)) / (1 - t);
  return t <= 0 ? 0.5 : (0.5 * score) / t;
}

/**
 * The score threshold at which the model's detections agree best with the labels (F1-optimal,
 * same class and IoU ≥ 0.5, each label matched once, best score first), within [0.05, 0.95];
 * 0.5 when there is nothing to measure. Label errors are few, so the labels' own agreement
 * tells how the model's scores run.
 */
export function calibrateConfidence(images: readonly { labels: readonly ReviewLabel[]; detections: readonly ReviewDetection[] }[]): number {
  const scored: { score: number; hit: boolean }[] = [];
  let total = 0;
  for (const im of images) {
    const labels = im.labels.filter((l) => !l.draft);
    total += labels.length;
    const used = new Set<number>();
    for (const d of [...im.detections].sort((a, b) => b.score - a.score)) {
      let best = -1;
      let bestIou = 0.5;
      labels.forEach((l, i) => {
        if (used.has(i) || l.label !== d.label) return;
        const iou = cornersIou(l, d);
        if (iou >= bestIou) { best = i; bestIou = iou; }
      });
      if (best >= 0) used.add(best);
      scored.push({ score: d.score, hit: best >= 0 });
    }
  }
  if (!total || !scored.length) return 0.5;
  scored.sort((a, b) => b.score - a.score);
  let tp = 0;
  let bestF1 = -1;
  let threshold = 0.5;
  scored.forEach((x, k) => {
    if (x.hit) tp++;
    if (k + 1 < scored.length && scored[k + 1].score === x.score) return;
    const f1 = (2 * tp) / (k + 1 + total);
    if (f1 > bestF1) { bestF1 = f1; threshold = x.score; }
  });
  return Math.min(0.95, Math.max(0.05, round3(threshold)));
}

/** The findings of one image, most likely errors first. */
export function reviewImage(imageId: string, labelsIn: readonly ReviewLabel[], detections: readonly ReviewDetection[],
  options: Partial<ReviewOptions> = {}): ReviewFinding[] {
  const o = { ...DEFAULT_REVIEW_OPTIONS, ...options };
  checkOptions(o);
  const labels = labelsIn.filter((l) => !l.draft);
  const dets = [...detections].sort((a, b) => b.score - a.score);
  const findings: ReviewFinding[] = [];
  const finding = (f: Omit<ReviewFinding, 'imageId'>): void => { findings.push({ imageId, ...f, score: round3(f.score), iou: f.iou === null ? null : round3(f.iou) }); };
  /** Best score of a detection of `label` overlapping `r` with IoU ≥ minIou. */
  const support = (r: ReviewRect, label: string, minIou: number): number =>
    dets.reduce((best, d) => (d.label === label && d.score > best && cornersIou(r, d) >= minIou ? d.score : best), 0);

  // duplicates: the less supported of two same-class labels that overlap a lot; it takes no part in the pairing
  const duplicate = new Set<number>();
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (duplicate.has(i) || duplicate.has(j) || labels[i].label !== labels[j].label) continue;
      const iou = cornersIou(labels[i], labels[j]);
      if (iou < o.duplicateIou) continue;
      const [keep, dup] = support(labels[j], labels[j].label, o.matchIou) > support(labels[i], labels[i].label, o.matchIou) ? [i, j] : [j, i];
      duplicate.add(dup);
      const d = labels[dup];
      finding({ kind: 'duplicate', boxId: d.key, label: d.label, box: rectOf(d), suggestion: null, twinId: labels[keep].key, iou, score: iou });
    }
  }
  const candidates = labels.map((l, i) => (duplicate.has(i) ? null : l));
  const live = candidates.filter((l): l is ReviewLabel => l !== null);
  const labelPair = new Map<number, number>();
  const detPair = new Map<number, number>();
  // confident detections first: a weak detection that happens to overlap a label better must not
  // take the label from the confident one the model means for that object (dets are sorted by
  // score, so the confident ones are their first `confident` entries, same indices)
  const confident = dets.filter((d) => d.score >= o.confidence);
  pairGreedy(live, confident, o.matchIou, true, labelPair, detPair);
  pairGreedy(live, dets, o.matchIou, true, labelPair, detPair);
  pairGreedy(live, dets, o.matchIou, false, labelPair, detPair);

  live.forEach((l, li) => {
    const di = labelPair.get(li);
    const paired = di === undefined ? null : dets[di];
    const own = support(l, l.label, o.matchIou);
    // wrong class: the best confident detection of another class on the label beats the label's class
    // (not one paired with another label: two objects of two classes may overlap)
    const other = dets.find((d, i) => d.label !== l.label && d.score >= o.confidence * o.weakFactor && cornersIou(l, d) >= 0.5 && (detPair.get(i) ?? li) === li);
    if (other && other.score - own > 0) {
      finding({ kind: 'wrong-class', boxId: l.key, label: l.label, box: rectOf(l), suggestion: detOf(other), iou: cornersIou(l, other), score: strength(other.score, o.confidence) - strength(own, o.confidence) });
      return;
    }
    if (paired && paired.label === l.label && paired.score >= o.confidence) {
      const iou = cornersIou(l, paired);
      // how loose: below looseIou, or the centres apart by more than 10 % of the label's size
      // (a shifted box; a model's boxes vary in size more than in position)
      const looseness = Math.max(Math.min(1, (o.looseIou - iou) / 0.25), Math.min(1, (centreOffset(l, paired) - 0.1) / 0.25));
      if (looseness > 0) {
        finding({ kind: 'loose', boxId: l.key, label: l.label, box: rectOf(l), suggestion: detOf(paired), iou, score: strength(paired.score, o.confidence) * looseness });
      }
      return;
    }
    if (own < o.confidence) {
      const best = dets.find((d) => cornersIou(l, d) >= o.matchIou) ?? null;
      finding({ kind: 'spurious', boxId: l.key, label: l.label, box: rectOf(l), suggestion: best && detOf(best), iou: best && cornersIou(l, best), score: o.spuriousWeight * (1 - own / o.confidence) });
    }
  });

  const missing: ReviewDetection[] = [];
  dets.forEach((d, di) => {
    if (d.score < o.confidence * o.weakFactor || detPair.has(di)) return;
    // explained by a label: the same object (perhaps as another class), or a part of a labeled one
    if (labels.some((l) => cornersIou(l, d) >= o.matchIou || insideShare(d, l) >= 0.5)) return;
    // one finding per object: a weaker detection on a missing box already found is not another one
    if (missing.some((m) => cornersIou(m, d) >= o.matchIou)) return;
    missing.push(d);
    finding({ kind: 'missing', boxId: null, label: null, box: null, suggestion: detOf(d), iou: null, score: strength(d.score, o.confidence) });
  });
  return findings.sort(compareFindings);
}

function compareFindings(a: ReviewFinding, b: ReviewFinding): number {
  return b.score - a.score || naturalCompare(a.imageId, b.imageId) || FINDING_KINDS.indexOf(a.kind) - FINDING_KINDS.indexOf(b.kind)
    || (a.boxId ?? '').localeCompare(b.boxId ?? '') || (a.suggestion?.xmin ?? 0) - (b.suggestion?.xmin ?? 0);
}

/**
 * The key a dismissal ("keep the label") is remembered by: image, kind and the label's id, or for
 * a missing box its class and position rounded to 16 px (a retrained model's box moves a little).
 */
export function findingKey(f: Pick<ReviewFinding, 'imageId' | 'kind' | 'boxId' | 'suggestion'>): string {
  if (f.boxId !== null) return `${f.imageId}|${f.kind}|${f.boxId}`;
  const s = f.suggestion;
  const q = (v: number): number => Math.round(v / 16);
  return `${f.imageId}|${f.kind}|${s ? `${s.label}@${q(s.xmin)},${q(s.ymin)},${q(s.xmax)},${q(s.ymax)}` : ''}`;
}

/** Every image's findings in one queue, most likely errors first, without the dismissed ones. */
export function rankFindings(findings: readonly ReviewFinding[], dismissed: ReadonlySet<string> = new Set()): ReviewFinding[] {
  return findings.filter((f) => !dismissed.has(findingKey(f))).sort(compareFindings);
}

export interface ImageReview {
  imageId: string;
  /** The sum of its findings' scores (the order of the image queue). */
  score: number;
  /** Its worst finding's score. */
  worst: number;
  findings: ReviewFinding[];
}

/** Images ordered by the sum of their findings' scores (then the worst one); images without findings are left out. */
export function rankImages(findings: readonly ReviewFinding[], dismissed: ReadonlySet<string> = new Set()): ImageReview[] {
  const by = new Map<string, ReviewFinding[]>();
  for (const f of rankFindings(findings, dismissed)) {
    const list = by.get(f.imageId) ?? [];
    list.push(f);
    by.set(f.imageId, list);
  }
  return [...by].map(([imageId, list]) => ({ imageId, findings: list, worst: list[0].score, score: round3(list.reduce((s, f) => s + f.score, 0)) }))
    .sort((a, b) => b.score - a.score || b.worst - a.worst || naturalCompare(a.imageId, b.imageId));
}

/** One edit of an image's boxes, by box id: what a fix does (the Label editor runs it as a command). */
export type ReviewEdit =
  | { type: 'add'; box: ReviewRect; label: string }
  | { type: 'setRect'; id: string; box: ReviewRect }
  | { type: 'relabel'; id: string; label: string }
  | { type: 'delete'; id: string };

/**
 * The edit a one-key fix makes: 'accept' takes the suggestion (add the missing box, put the
 * detection's box in place of the loose one, give the wrong class the detection's class, delete
 * the spurious or duplicate box); 'delete' deletes the label box (nothing for a missing box).
 * Keeping the label is no edit: the finding is dismissed (findingKey).
 */
export function fixEdit(f: ReviewFinding, action: 'accept' | 'delete'): ReviewEdit | null {
  if (action === 'delete') return f.boxId === null ? null : { type: 'delete', id: f.boxId };
  switch (f.kind) {
    case 'missing': return f.suggestion ? { type: 'add', box: rectOf(f.suggestion), label: f.suggestion.label } : null;
    case 'loose': return f.boxId !== null && f.suggestion ? { type: 'setRect', id: f.boxId, box: rectOf(f.suggestion) } : null;
    case 'wrong-class': return f.boxId !== null && f.suggestion ? { type: 'relabel', id: f.boxId, label: f.suggestion.label } : null;
    case 'spurious':
    case 'duplicate': return f.boxId === null ? null : { type: 'delete', id: f.boxId };
  }
}

/**
 * An edit applied to boxes carrying ids (`key`); null when its box is gone. Boxes added get
 * `newKey()` and the other fields of a plain box.
 */
export function applyEdit<B extends ReviewRect & { key?: string; label: string }>(boxes: readonly B[], edit: ReviewEdit,
  newBox: (rect: ReviewRect, label: string) => B): B[] | null {
  if (edit.type === 'add') return [...boxes, newBox(rectOf(edit.box), edit.label)];
  if (!boxes.some((b) => b.key === edit.id)) return null;
  switch (edit.type) {
    case 'delete': return boxes.filter((b) => b.key !== edit.id);
    case 'relabel': return boxes.map((b) => (b.key === edit.id ? { ...b, label: edit.label } : b));
    case 'setRect': return boxes.map((b) => (b.key === edit.id ? { ...b, ...rectOf(edit.box) } : b));
  }
}

export interface LabelNextEntry {
  imageId: string;
  /** Sum over its detections of 1 − |2·score − 1| (1 for a detection at 0.5, 0 at 0 or 1). */
  uncertainty: number;
  detections: number;
}

/**
 * "Label next": unlabeled images ordered by how unsure the model is on them, the most unsure
 * first (the ones whose labels teach it most). Detections below REVIEW_MIN_SCORE are not counted.
 */
export function labelNextOrder(images: readonly { imageId: string; detections: readonly Pick<ReviewDetection, 'score'>[] }[]): LabelNextEntry[] {
  return images.map(({ imageId, detections }) => {
    const counted = detections.filter((d) => d.score >= REVIEW_MIN_SCORE);
    return { imageId, detections: counted.length, uncertainty: round3(counted.reduce((s, d) => s + 1 - Math.abs(2 * d.score - 1), 0)) };
  }).sort((a, b) => b.uncertainty - a.uncertainty || naturalCompare(a.imageId, b.imageId));
}
