// DisplayWindow/level for grayscale frames decoded in the page: stored values → modality values (rescale) →
// display grey through a linear window, the DICOM VOI LUT function LINEAR.

/** A grayscale frame as stored: one sample per pixel, row-major. */
export interface GrayFrame {
  width: number;
  height: number;
  pixels: Int16Array | Uint16Array | Int8Array | Uint8Array | Int32Array | Uint32Array;
  /** RescaleSlope/RescaleIntercept: stored value × slope + intercept = modality value (e.g. HU). */
  slope: number;
  intercept: number;
  /** MONOCHROME1 displays low values as white. */
  inverted: boolean;
}

/** A window in modality units. */
export interface DisplayWindow {
  center: number;
  width: number;
}

/** The window that shows every value of the frame: its modality min..max. */
export function fullRangeWindow(frame: GrayFrame): DisplayWindow {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of frame.pixels) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { center: 0, width: 1 };
  const a = min * frame.slope + frame.intercept;
  const b = max * frame.slope + frame.intercept;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return { center: (lo + hi) / 2, width: Math.max(1, hi - lo) };
}

/**
 * Maps the frame through the window into `out` (RGBA, 4 bytes per pixel). DICOM's linear VOI function: values at or below
 * `center − 0.5 − (width − 1)/2` are black, at or above `center − 0.5 + (width − 1)/2` white.
 */
export function applyWindow<T extends Uint8ClampedArray>(frame: GrayFrame, window: DisplayWindow, out: T): T {
  const n = frame.width * frame.height;
  const rgba = out;
  const width = Math.max(1, window.width);
  const low = window.center - 0.5 - (width - 1) / 2;
  const scale = 255 / Math.max(1e-9, width - 1);
  const { slope, intercept, pixels, inverted } = frame;
  for (let i = 0; i < n; i++) {
    const value = (pixels[i] ?? 0) * slope + intercept;
    let grey = (value - low) * scale;
    grey = Math.min(255, Math.max(0, grey));
    if (inverted) grey = 255 - grey;
    const o = i * 4;
    rgba[o] = grey;
    rgba[o + 1] = grey;
    rgba[o + 2] = grey;
    rgba[o + 3] = 255;
  }
  return rgba;
}
