/**
 * The review queue of a project on the Node side (`detecta dataset review`): the detector runs on
 * every labeled image (as `detecta predict` does, through predict-files.ts, down to
 * REVIEW_MIN_SCORE; tiled when asked), each image's labels and detections go through shared/dataset/review.ts, and
 * the findings are ranked into one queue (dismissed ones left out). Unlabeled images are ordered
 * for "label next" by the model's uncertainty on them.
 */
import type { DatasetProject } from '../dataset/project';
import {
  calibrateConfidence, labelNextOrder, rankFindings, rankImages, REVIEW_MIN_SCORE, reviewImage,
  type ImageReview, type LabelNextEntry, type ReviewDetection, type ReviewFinding, type ReviewLabel, type ReviewOptions,
} from '../../shared/dataset/review';
import { detectFile, type LoadedDetector } from './predict-files';
import type { TileOptions } from '../../shared/ml/detector/tiles';

export interface ProjectReview {
  /** Labeled images reviewed. */
  reviewed: number;
  /** The score from which a detection was confident (given, or calibrated on the labels). */
  confidence: number;
  /** Every finding not dismissed, most likely errors first. */
  findings: ReviewFinding[];
  images: ImageReview[];
  /** Unlabeled images, the most uncertain first. */
  labelNext: LabelNextEntry[];
  /** Images that could not be read, with the reason. */
  failed: { imageId: string; reason: string }[];
}

export interface ReviewProjectOptions {
  /** Review options; without `confidence` it is calibrated on the project's labels (calibrateConfidence). */
  options?: Partial<ReviewOptions>;
  dismissed?: ReadonlySet<string>;
  /** Tiled detection (SAHI-style, as `detecta predict --tile`), for small objects in large photos. */
  tile?: TileOptions;
  /** NMS IoU of the detections (0.45, as `detecta predict`). */
  nmsIou?: number;
  onImage?: (done: number, total: number) => void;
}

const PAGE = 1000;

export async function reviewProject(project: DatasetProject, det: LoadedDetector, opts: ReviewProjectOptions = {}): Promise<ProjectReview> {
  await project.ready();
  const entries = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = project.listImages({ offset, limit: PAGE });
    entries.push(...page.items);
    if (page.items.length < PAGE) break;
  }
  const todo = entries.filter((e) => e.status === 'labeled' || e.status === 'unlabeled');
  const labeled: { imageId: string; labels: ReviewLabel[]; detections: ReviewDetection[] }[] = [];
  const unlabeled: { imageId: string; detections: ReviewDetection[] }[] = [];
  const failed: ProjectReview['failed'] = [];
  let reviewed = 0;
  for (const [i, entry] of todo.entries()) {
    try {
      const r = await detectFile(det, project.resolveImage(entry.id), { confidence: REVIEW_MIN_SCORE, iou: opts.nmsIou ?? 0.45, tile: opts.tile });
      const detections = r.detections.map((d) => ({ label: d.label, score: d.score, xmin: d.x1, ymin: d.y1, xmax: d.x2, ymax: d.y2 }));
      if (entry.status === 'unlabeled') {
        unlabeled.push({ imageId: entry.id, detections });
      } else {
        const ann = await project.getAnnotation(entry.id);
        labeled.push({ imageId: entry.id, labels: ann.boxes.map((b, k) => ({ ...b, key: b.key ?? `o${k}` })), detections });
        reviewed++;
      }
    } catch (err) {
      failed.push({ imageId: entry.id, reason: (err as Error).message });
    }
    opts.onImage?.(i + 1, todo.length);
  }
  const confidence = opts.options?.confidence ?? calibrateConfidence(labeled);
  const findings: ReviewFinding[] = labeled.flatMap((im) => reviewImage(im.imageId, im.labels, im.detections, { ...opts.options, confidence }));
  const dismissed = opts.dismissed ?? new Set<string>();
  return { reviewed, confidence, findings: rankFindings(findings, dismissed), images: rankImages(findings, dismissed), labelNext: labelNextOrder(unlabeled), failed };
}
