import { VR_TABLE } from './generated/vr-table';
import { lazy } from './lazy';

/** Tag → VR, with repeating-group patterns (mask selects the fixed nibbles, value is what they must equal). */
interface VrIndex {
  byTag: Map<number, string>;
  patterns: { mask: number; value: number; vr: string }[];
}

function buildVrIndex(): VrIndex {
  const byTag = new Map<number, string>();
  const patterns: VrIndex['patterns'] = [];
  for (let i = 0; i < VR_TABLE.length; i += 10) {
    const id = VR_TABLE.slice(i, i + 8);
    const vr = VR_TABLE.slice(i + 8, i + 10);
    const tag = Number.parseInt(id.replace(/x/g, '0'), 16) >>> 0;
    if (id.includes('x')) {
      const mask = Number.parseInt(id.replace(/[0-9a-f]/g, 'f').replace(/x/g, '0'), 16) >>> 0;
      patterns.push({ mask, value: tag, vr });
    } else {
      byTag.set(tag, vr);
    }
  }
  return { byTag, patterns };
}

/**
 * Built on first use, not when the module loads: a page that imports only `isDicom` pays nothing,
 * and bundlers drop the table when nothing calls {@link vrOf}. The index never changes once built.
 */
const vrIndex = /* @__PURE__ */ lazy(buildVrIndex);

/** The VR the standard gives a tag, `UN` when unknown (always `UN` for private tags except creators). */
export function vrOf(tag: number): string {
  const group = tag >>> 16;
  if (group & 1) {
    const element = tag & 0xffff;
    return element >= 0x10 && element <= 0xff ? 'LO' : 'UN';
  }
  if ((tag & 0xffff) === 0) return 'UL';
  const index = vrIndex();
  const exact = index.byTag.get(tag);
  if (exact) return exact;
  for (const p of index.patterns) {
    if ((tag & p.mask) >>> 0 === p.value) return p.vr;
  }
  return 'UN';
}
