import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAnonymizer, isDicom, parseDicom } from './src/index';

const dir = '/work/shared/data/dicom/series/dcm_qa_ct_philips_S2010';
const files = readdirSync(dir)
  .map((f) => new Uint8Array(readFileSync(join(dir, f))))
  .filter((b) => isDicom(b) && parseDicom(b).number('Rows') === 512);
const a = createAnonymizer({ key: 'k' });
console.log(Object.keys(parseDicom(files[0]).dataSet.elements).length);
for (let r = 0; r < 60; r++) for (const f of files) a.anonymize(f);
