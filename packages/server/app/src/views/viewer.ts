import { geometryOf, type ImageGeometry, isDicom, type ParsedDicom, parseDicom } from '@datamint/dicom';
import type { AnnotationItem, ResourceItem, ServerApi } from '../api';
import { errorBox, h, replace } from '../dom';
import { fileWindow, grayFrameOf } from '../imaging/dicom-frame';
import { dicomHeaderSummary, niftiHeaderSummary } from '../imaging/header-summary';
import { blendMask, labelColours, type Rgb } from '../imaging/overlay';
import { type PixelShape, shapeOnFrame } from '../imaging/shapes';
import { applyWindow, type DisplayWindow, fullRangeWindow, type GrayFrame } from '../imaging/window-level';
import { viewerHash } from '../router';

/** Opacity of segmentation overlays. */
const MASK_OPACITY = 0.5;
/** Largest on-screen size of the image, in CSS pixels. */
const MAX_DISPLAY = 640;

interface ViewerState {
  api: ServerApi;
  resource: ResourceItem;
  annotations: AnnotationItem[];
  dicom: ParsedDicom | undefined;
  geometry: ImageGeometry | undefined;
  frames: number;
  frame: number;
  window: DisplayWindow | undefined;
  colours: Map<string, Rgb>;
  /** Decoded masks per annotation id (RGBA at image size). */
  masks: Map<string, Promise<ImageData | undefined>>;
}

async function decodeToImageData(blob: Blob): Promise<ImageData> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

async function loadDicom(api: ServerApi, resource: ResourceItem): Promise<ParsedDicom | undefined> {
  if (!/dicom/i.test(resource.mimetype)) return undefined;
  const bytes = await api.resourceFile(resource.id);
  return isDicom(bytes) ? parseDicom(bytes, { fileName: resource.filename }) : undefined;
}

function geometryOrUndefined(parsed: ParsedDicom | undefined): ImageGeometry | undefined {
  if (!parsed) return undefined;
  try {
    return geometryOf(parsed);
  } catch {
    return undefined; // a 2D DICOM without patient geometry: its lines are in pixel coordinates
  }
}

/** The frame's pixels as RGBA: decoded in the page (window/level) or the server's rendering. */
async function frameImage(state: ViewerState): Promise<{ image: ImageData; gray: GrayFrame | undefined }> {
  const gray = state.dicom ? grayFrameOf(state.dicom, state.frame) : undefined;
  if (gray) {
    const window = state.window ?? (state.dicom && fileWindow(state.dicom)) ?? fullRangeWindow(gray);
    state.window = window;
    const rgba = applyWindow(gray, window, new Uint8ClampedArray(gray.width * gray.height * 4));
    return { image: new ImageData(rgba, gray.width, gray.height), gray };
  }
  const png = await state.api.frame(state.resource.id, state.frame);
  return { image: await decodeToImageData(png), gray: undefined };
}

function masksOnFrame(state: ViewerState): AnnotationItem[] {
  return state.annotations.filter(
    (a) => a.type === 'segmentation' && a.file && (a.frame_index ?? 0) === state.frame,
  );
}

function maskOf(state: ViewerState, annotation: AnnotationItem): Promise<ImageData | undefined> {
  let mask = state.masks.get(annotation.id);
  if (!mask) {
    mask = state.api
      .mask(annotation)
      .then(decodeToImageData)
      .catch(() => undefined);
    state.masks.set(annotation.id, mask);
  }
  return mask;
}

function drawShapes(ctx: CanvasRenderingContext2D, shapes: PixelShape[], colours: Map<string, Rgb>): void {
  // Pixel coordinates address pixel centres: +0.5 puts the stroke on the pixel, not between two.
  ctx.lineWidth = 1;
  for (const shape of shapes) {
    const [r, g, b] = colours.get(shape.label) ?? [255, 255, 0];
    ctx.strokeStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.beginPath();
    for (const [i, [x, y]] of shape.points.entries()) {
      if (i === 0) ctx.moveTo(x + 0.5, y + 0.5);
      else ctx.lineTo(x + 0.5, y + 0.5);
    }
    if (shape.kind === 'box') ctx.closePath();
    ctx.stroke();
  }
}

function chips(state: ViewerState): HTMLElement {
  const categories = state.annotations.filter((a) => a.type === 'category' || a.type === 'label');
  const image = categories.filter((a) => a.scope !== 'frame');
  const frame = categories.filter((a) => a.scope === 'frame' && (a.frame_index ?? 0) === state.frame);
  const chip = (a: AnnotationItem) =>
    h('span', { class: 'chip' }, a.value == null ? a.identifier : `${a.identifier}: ${String(a.value)}`);
  return h(
    'div',
    { class: 'chips', id: 'category-chips' },
    image.length ? h('div', {}, h('strong', {}, 'Image '), ...image.map(chip)) : null,
    frame.length ? h('div', {}, h('strong', {}, `Frame ${state.frame} `), ...frame.map(chip)) : null,
  );
}

function legend(state: ViewerState, shown: Set<string>): HTMLElement {
  const items = [...state.colours].map(([name, [r, g, b]]) => {
    const swatch = h('span', { class: 'swatch' });
    // Through the CSSOM: the page's content policy refuses inline style attributes.
    swatch.style.background = `rgb(${r}, ${g}, ${b})`;
    return h('li', { class: shown.has(name) ? 'on-frame' : 'elsewhere' }, swatch, name);
  });
  return h('ul', { class: 'legend', id: 'legend' }, ...items);
}

function metadataPanel(state: ViewerState): HTMLElement {
  const rows = state.dicom
    ? dicomHeaderSummary(state.dicom)
    : niftiHeaderSummary(state.resource.metadata as Record<string, unknown> | null);
  const facts: Array<[string, string]> = [
    ['Mimetype', state.resource.mimetype],
    ['Frames', String(state.frames)],
    ['Status', state.resource.status],
  ];
  return h(
    'table',
    { class: 'meta', id: 'metadata' },
    h('tbody', {}, ...[...facts, ...rows].map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))),
  );
}

/** The resource page: frame canvas with overlays, frame slider, window/level, chips, metadata. */
export async function renderViewer(
  main: HTMLElement,
  api: ServerApi,
  id: string,
  frame: number,
): Promise<void> {
  replace(main, h('p', { class: 'muted' }, 'Loading…'));
  let state: ViewerState;
  try {
    const [resource, annotations] = await Promise.all([api.getResource(id), api.annotations(id)]);
    const dicom = await loadDicom(api, resource).catch(() => undefined);
    const frames = Math.max(1, Number(resource.number_of_frames ?? dicom?.numberOfFrames ?? 1) || 1);
    state = {
      api,
      resource,
      annotations,
      dicom,
      geometry: geometryOrUndefined(dicom),
      frames,
      frame: Math.min(frame, frames - 1),
      window: undefined,
      colours: labelColours(
        annotations
          .filter((a) => ['segmentation', 'line', 'square'].includes(a.type))
          .map((a) => a.identifier),
      ),
      masks: new Map(),
    };
  } catch (err) {
    replace(
      main,
      h('p', {}, h('a', { href: '#/resources' }, '← Resources')),
      errorBox((err as Error).message),
    );
    return;
  }

  const canvas = h('canvas', { id: 'frame-canvas', class: 'frame' });
  const slider = h('input', {
    type: 'range',
    id: 'frame-slider',
    min: 0,
    max: state.frames - 1,
    value: state.frame,
    disabled: state.frames === 1,
  });
  const frameLabel = h('span', { id: 'frame-label' });
  const center = h('input', { type: 'number', id: 'window-center', step: 'any' });
  const width = h('input', { type: 'number', id: 'window-width', step: 'any', min: 1 });
  const windowControls = h(
    'div',
    { class: 'window', id: 'window-controls', hidden: true },
    h('label', {}, 'Window centre ', center),
    h('label', {}, 'width ', width),
  );
  const side = h('div', { class: 'side' });
  const problems = h('div', { id: 'viewer-problems' });
  replace(
    main,
    h('p', {}, h('a', { href: '#/resources' }, '← Resources')),
    h('h1', {}, state.resource.filename || state.resource.id),
    h(
      'div',
      { class: 'viewer' },
      h(
        'div',
        { class: 'stage' },
        canvas,
        h('div', { class: 'controls' }, slider, frameLabel),
        windowControls,
      ),
      side,
    ),
    problems,
  );

  let drawing = 0;
  const draw = async () => {
    const ticket = ++drawing;
    let result: Awaited<ReturnType<typeof frameImage>>;
    try {
      result = await frameImage(state);
    } catch (err) {
      replace(problems, errorBox(`Frame ${state.frame}: ${(err as Error).message}`));
      return;
    }
    const masks = masksOnFrame(state);
    const decoded = await Promise.all(masks.map((m) => maskOf(state, m)));
    if (ticket !== drawing) return; // a newer frame was asked for meanwhile
    const { image, gray } = result;
    const shown = new Set<string>();
    const skipped: string[] = [];
    masks.forEach((m, i) => {
      const mask = decoded[i];
      if (!mask || mask.width !== image.width || mask.height !== image.height) {
        skipped.push(`mask '${m.identifier}' does not match the frame size`);
        return;
      }
      blendMask(image.data, mask.data, state.colours.get(m.identifier) ?? [255, 255, 0], MASK_OPACITY);
      shown.add(m.identifier);
    });
    const shapes: PixelShape[] = [];
    for (const a of state.annotations) {
      const shape = shapeOnFrame(a, state.frame, state.geometry);
      if (typeof shape === 'object') {
        shapes.push(shape);
        shown.add(shape.label);
      } else if (shape === 'malformed') skipped.push(`${a.type} '${a.identifier}' has malformed geometry`);
    }
    canvas.width = image.width;
    canvas.height = image.height;
    // Whole-number zoom with pixelated scaling keeps one image pixel one block of screen pixels.
    const zoom = Math.max(1, Math.floor(MAX_DISPLAY / Math.max(image.width, image.height)));
    canvas.style.width = `${image.width * zoom}px`;
    canvas.style.height = `${image.height * zoom}px`;
    canvas.dataset.zoom = String(zoom);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.putImageData(image, 0, 0);
    drawShapes(ctx, shapes, state.colours);
    frameLabel.textContent = `frame ${state.frame + 1} / ${state.frames}`;
    windowControls.hidden = !gray;
    if (gray && state.window) {
      center.value = String(Math.round(state.window.center * 100) / 100);
      width.value = String(Math.round(state.window.width * 100) / 100);
    }
    replace(side, legend(state, shown), chips(state), h('h2', {}, 'Metadata'), metadataPanel(state));
    replace(problems, ...skipped.map((s) => h('p', { class: 'muted' }, s)));
    canvas.dataset.frame = String(state.frame);
    canvas.dataset.ready = 'true';
  };

  const goTo = (next: number) => {
    const clamped = Math.min(state.frames - 1, Math.max(0, next));
    if (clamped === state.frame) return;
    state.frame = clamped;
    slider.value = String(clamped);
    canvas.dataset.ready = 'false';
    history.replaceState(null, '', viewerHash(state.resource.id, clamped));
    void draw();
  };
  slider.addEventListener('input', () => goTo(Number(slider.value)));
  canvas.addEventListener(
    'wheel',
    (event) => {
      event.preventDefault();
      goTo(state.frame + (event.deltaY > 0 ? 1 : -1));
    },
    { passive: false },
  );
  const setWindow = () => {
    const c = Number(center.value);
    const w = Number(width.value);
    if (Number.isFinite(c) && Number.isFinite(w) && w >= 1) {
      state.window = { center: c, width: w };
      void draw();
    }
  };
  center.addEventListener('change', setWindow);
  width.addEventListener('change', setWindow);
  await draw();
}
