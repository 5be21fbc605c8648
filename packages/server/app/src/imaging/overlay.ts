// Segmentation overlays: one colour per label name, blended over the frame where the mask is set.

/** An RGB colour, 0..255 per channel. */
export type Rgb = readonly [number, number, number];

// Distinct, saturated colours that stay visible over grey CT/MR images; repeated after 10 labels.
const PALETTE: readonly Rgb[] = [
  [255, 0, 0],
  [0, 200, 0],
  [0, 120, 255],
  [255, 200, 0],
  [255, 0, 255],
  [0, 230, 230],
  [255, 128, 0],
  [160, 80, 255],
  [128, 255, 128],
  [255, 128, 160],
];

/** Colours for label names, in first-seen order, so the legend and the overlay agree. */
export function labelColours(names: Iterable<string>): Map<string, Rgb> {
  const colours = new Map<string, Rgb>();
  for (const name of names) {
    if (!colours.has(name)) colours.set(name, PALETTE[colours.size % PALETTE.length] as Rgb);
  }
  return colours;
}

/**
 * Blends `colour` into `frame` (RGBA) wherever the mask (RGBA of a PNG, any non-zero grey counts) is
 * set; `opacity` 0..1. The mask must have the frame's size.
 */
export function blendMask(
  frame: Uint8ClampedArray,
  mask: Uint8ClampedArray,
  colour: Rgb,
  opacity: number,
): number {
  if (mask.length !== frame.length) {
    throw new Error(`mask has ${mask.length / 4} pixels, the frame ${frame.length / 4}`);
  }
  let covered = 0;
  const keep = 1 - opacity;
  for (let o = 0; o < frame.length; o += 4) {
    // Masks are grayscale 0/255 PNGs; decoded by the browser they arrive as RGBA with alpha 255.
    if ((mask[o] ?? 0) === 0 || (mask[o + 3] ?? 0) === 0) continue;
    covered++;
    frame[o] = (frame[o] ?? 0) * keep + colour[0] * opacity;
    frame[o + 1] = (frame[o + 1] ?? 0) * keep + colour[1] * opacity;
    frame[o + 2] = (frame[o + 2] ?? 0) * keep + colour[2] * opacity;
  }
  return covered;
}
