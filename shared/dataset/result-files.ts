/**
 * Result images Detecta writes (boxes or classes drawn in): NAME_detected.EXT and
 * NAME_classified.EXT next to their source image, and webcam-YYYYMMDD-HHMMSS_detected.jpg
 * snapshots. A folder scan must not take them for photos to label or to train on.
 */

export const RESULT_SUFFIX = { detect: '_detected', classify: '_classified' } as const;

const RESULT_NAME = /^(.+)(_detected|_classified)\.[A-Za-z0-9]+$/;
const WEBCAM_RESULT = /^webcam-\d{8}-\d{6}(_detected|_classified)\.jpe?g$/;

/** A time as YYYYMMDD-HHMMSS (UTC), for file names that sort by time. */
export const fileStamp = (date: Date): string => date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

/** The name a webcam result snapshot is saved under (the form isResultImage recognises). */
export const webcamResultName = (task: keyof typeof RESULT_SUFFIX, date: Date): string => `webcam-${fileStamp(date)}${RESULT_SUFFIX[task]}.jpg`;

/** The file name without its extension. */
export const stemOf = (name: string): string => (name.lastIndexOf('.') > 0 ? name.slice(0, name.lastIndexOf('.')) : name);

/**
 * Whether `name` is one of our result images, given the stems of the image files in its folder:
 * NAME_detected.EXT counts only when NAME.* is there too (so a photo that happens to be called
 * x_detected.jpg is still a photo); webcam result snapshots always count.
 */
export function isResultImage(name: string, stemsInFolder: ReadonlySet<string>): boolean {
  if (WEBCAM_RESULT.test(name)) return true;
  const m = RESULT_NAME.exec(name);
  return m !== null && stemsInFolder.has(m[1]!);
}
