import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as segmentation from '@datamint/segmentation';
import { chromiumPath, launchChromium } from '@datamint/test-support/browser';
import { type NoBundlerSite, servedUrl, startNoBundlerSite } from '@datamint/test-support/no-bundler';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as dicom from '../src/index';
import { nodePipeline, type PipelineInput, pageScript } from './browser-pipeline';
import { DATA_DIR, requireData } from './data';

// A page with nothing but an import map to the built files (packages/*/dist) and their declared
// dependencies in node_modules, as a no-build web page has: no bundler rewrites anything.
const PACKAGES_DIR = fileURLToPath(new URL('../../', import.meta.url));
const executablePath = chromiumPath();
const ready = executablePath !== undefined && requireData();

const SERIES = 'dicom/series/dcm_qa_ct_philips_S2010';
const INPUT: PipelineInput = {
  key: 'browser-test-key',
  files: [
    'dicom/ts/CT_small.dcm',
    'dicom/ts/MR_small_implicit.dcm',
    'dicom/ts/MR_small_bigendian.dcm',
    'dicom/ts/image_dfl.dcm',
    'dicom/structure/siemens_mr_csa_0.dcm',
    'dicom/multiframe/emri_small.dcm',
  ],
  series: ready
    ? readdirSync(join(DATA_DIR, SERIES))
        .filter((name) => /^I\d+$/.test(name))
        .map((name) => `${SERIES}/${name}`)
    : [],
  compressed: [
    'dicom/ts/MR_small_jpeg_ls_lossless.dcm',
    'dicom/ts/MR_small_jp2klossless.dcm',
    'dicom/ts/SC_rgb_jpeg_dcmtk.dcm',
    'dicom/ts/SC_rgb_jpeg_gdcm.dcm',
  ],
  masks: ['png/masks/isbi2012_membrane_label_0.png', 'nifti/mniMask.nii.gz'],
};

/** The classic scripts a no-bundler page loads so decodeFrame finds the WASM codecs (UMD builds). */
const CODEC_SCRIPTS = [
  '@cornerstonejs/codec-charls/wasmjs',
  '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs',
  '@cornerstonejs/codec-openjpeg/decodewasmjs',
];

describe.skipIf(!ready)('no-bundler page (import map only) in Chromium', () => {
  let browser: Browser;
  let site: NoBundlerSite;

  beforeAll(async () => {
    site = await startNoBundlerSite(['dicom', 'segmentation'], [DATA_DIR]);
    browser = await launchChromium(executablePath as string);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  async function openPage(codecs: boolean): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${site.origin}/`);
    if (codecs) {
      for (const specifier of CODEC_SCRIPTS) {
        await page.addScriptTag({ url: `${site.origin}${site.importMap.imports[specifier]}` });
      }
    }
    expect(errors).toEqual([]);
    return page;
  }

  it('the import map needs only the packages and their declared dependencies', () => {
    const declared = (name: string): string[] => {
      const manifest = JSON.parse(readFileSync(join(PACKAGES_DIR, name, 'package.json'), 'utf8'));
      return Object.keys((manifest as { dependencies?: Record<string, string> }).dependencies ?? {});
    };
    const allowed = new Set([...declared('dicom'), ...declared('segmentation')]);
    const packagesInMap = Object.keys(site.importMap.imports)
      .filter((s) => !s.startsWith('@datamint/'))
      .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]));
    for (const name of packagesInMap) expect(allowed, name).toContain(name);
    // CommonJS-only dicom-parser is inside our build; upng-js and pako are never reachable.
    expect(packagesInMap).not.toContain('dicom-parser');
    expect(packagesInMap).not.toContain('upng-js');
    expect(packagesInMap).not.toContain('pako');
  });

  it('anonymizes, assembles, decodes and splits masks with the same bytes as Node', async () => {
    const node = await nodePipeline()(dicom, segmentation, INPUT, {
      get: async (name) => new Uint8Array(await readFile(join(DATA_DIR, name))),
      hash: async (bytes) => createHash('sha256').update(bytes).digest('hex'),
    });
    expect(Object.keys(node).filter((k) => k.startsWith('assemble '))).toHaveLength(1);
    expect(node.unassembled).toBe('0');
    expect(Object.keys(node).filter((k) => k.startsWith('mask ')).length).toBeGreaterThan(1);

    const page = await openPage(true);
    const browserOut = await page.evaluate(pageScript(INPUT, servedUrl(site, DATA_DIR).concat('/')));
    await page.close();
    expect(browserOut).toEqual(node);
  });

  it('without the codec scripts, decodeFrame fails with a DicomDecodeError that says what to load', async () => {
    const page = await openPage(false);
    const outcome = await page.evaluate(`(async () => {
      const { decodeFrame, parseDicom, DicomDecodeError } = await import('@datamint/dicom');
      const bytes = new Uint8Array(await (await fetch(${JSON.stringify(servedUrl(site, join(DATA_DIR, INPUT.compressed[0])))})).arrayBuffer());
      try {
        await decodeFrame(parseDicom(bytes, { fileName: 'ls.dcm' }), 0);
        return 'decoded';
      } catch (e) {
        return (e instanceof DicomDecodeError ? 'DicomDecodeError: ' : 'other: ') + e.message + ' / ' + (e.cause?.message ?? '');
      }
    })()`);
    await page.close();
    expect(outcome).toMatch(/^DicomDecodeError: /);
    expect(outcome).toContain('ls.dcm');
    expect(outcome).toContain('CharLSWASM');
  });
});
