/**
 * LabelMe JSON as LabelMe 5 writes it (X-AnyLabeling reads the same files): one file per image,
 * each box a `rectangle` shape with its two corners. `difficult` is X-AnyLabeling's shape key
 * (LabelMe keeps unknown shape keys). Pure.
 */
export interface ExportBox {
  label: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
  difficult?: boolean;
  truncated?: boolean;
}

export function labelMeJson(imageName: string, width: number, height: number, boxes: readonly ExportBox[]): string {
  return JSON.stringify({
    version: '5.5.0',
    flags: {},
    shapes: boxes.map((b) => ({
      label: b.label,
      points: [[b.xmin, b.ymin], [b.xmax, b.ymax]],
      group_id: null,
      description: '',
      shape_type: 'rectangle',
      flags: {},
      ...(b.difficult ? { difficult: true } : {}),
    })),
    imagePath: imageName,
    imageData: null,
    imageHeight: height,
    imageWidth: width,
  }, null, 2) + '\n';
}
