/**
 * The Label view's canvas in e2e tests: image pixels → screen points (the canvas publishes its
 * view as data-view="scale,offsetX,offsetY"), and drawing a box with the box tool (W, one drag).
 */
import { expect, type Page } from '@playwright/test';

/** The screen point of image pixel (ix, iy) in the current view. */
export async function imageToScreen(page: Page, ix: number, iy: number): Promise<{ x: number; y: number }> {
  const canvas = page.getByTestId('annotation-canvas');
  await expect(canvas).not.toHaveAttribute('data-view', '');
  const [scale, ox, oy] = (await canvas.getAttribute('data-view'))!.split(',').map(Number) as [number, number, number];
  const box = (await canvas.locator('.konvajs-content').boundingBox())!;
  return { x: Math.round(box.x + ox + ix * scale), y: Math.round(box.y + oy + iy * scale) };
}

/** Draws a box from image pixel (x0, y0) to (x1, y1) with the box tool. */
export async function drawBoxOnCanvas(page: Page, x0: number, y0: number, x1: number, y1: number): Promise<void> {
  await page.keyboard.press('w');
  const a = await imageToScreen(page, x0, y0);
  const b = await imageToScreen(page, x1, y1);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps: 6 });
  await page.mouse.up();
}
