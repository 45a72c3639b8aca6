import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderSketch } from './sketch';

/**
 * The renderer's PNG bytes, pinned: the sketch module's structure may change, its pictures may not.
 * Hashes were recorded on the renderer before it was split into a folder; a deliberate change to the
 * drawing must update them (and say so). [prompt, width, height, steps, seed, style, sha256 of the PNG]
 */
const GOLDEN: [string, number, number, number, number, string | null, string][] = [
  [
    'a lighthouse on a rocky coast at sunset with a boat',
    320,
    200,
    20,
    42,
    null,
    '62b351b727c45bde14fbda6bca63e768df12a4aa2bf02d1f57c30ac4bd4a3f85',
  ],
  [
    'a lighthouse on a rocky coast at sunset with a boat',
    320,
    200,
    20,
    42,
    'ink',
    '797e657125256f01cd919d63e5b68f6319ab4b484ef7a50bbef52ed015729182',
  ],
  [
    'a lighthouse on a rocky coast at sunset with a boat',
    320,
    200,
    20,
    43,
    'flat',
    '198aad19b5d814b11b6c61f2f61bf49902dd58bbf2387a5783cf5035049d4f42',
  ],
  [
    'A red dragon over a castle on a stormy night, ink style',
    256,
    256,
    30,
    7,
    null,
    'c6e09b7c2740a18f5d247ab36d870b0fa2251a707c915762cd36c2df70887e7a',
  ],
  [
    'a cat and a dog in a snowy forest at night under the stars',
    200,
    300,
    40,
    1,
    'watercolor',
    '358f5010548d2c5133c4c826283ca472631b5858a68b9e3e138a58309a25197a',
  ],
  [
    'a happy girl with flowers in a sunny meadow, a house and a tree',
    300,
    180,
    10,
    99,
    'flat',
    '9c9f0bafb4e462070dad293e0f7ea07fb61a177e8176f7de78f1d1914e14568d',
  ],
  [
    'fish and a whale in the blue ocean at dawn, birds and clouds',
    240,
    160,
    25,
    123456,
    'watercolor',
    '26a4e0e1eff94709e2c425d50ca76d1615f13c5c27eda8bd488c52de819bef22',
  ],
  ['a city skyline in the rain at dusk', 512, 512, 20, 5, null, 'f7a75f11e5924a8628a7a13d4c13018cd1a55ca28d43ce331b0d003cebc2e73d'],
  [
    'a gloomy castle on a mountain in winter, pen sketch',
    160,
    240,
    60,
    2147483647,
    null,
    'f0fea80312f5031de5f4e494602a72332267f48ee1449c5b7ec8d026fc152997',
  ],
  ['something abstract', 64, 64, 1, 0, 'ink', '585673e7d87e2854cc06a10fd4311df6e4544dbb15407ac9821d6cc508921e9d'],
  [
    'a person by the river with a boat and a cottage',
    96,
    300,
    100,
    3,
    'flat',
    '1861eff6f2c79f883e7c3bb5fc59b0db6b80f41f83fe10ece0970b9f55aab938',
  ],
  [
    'a purple dragon flying over a village with snow',
    280,
    210,
    20,
    11,
    'ink',
    '6a96e1480758e0c0e75ae0d031874a5f0a191489b3513869f2b65c9da506eb43',
  ],
  ['sunset over the sea', 200, 200, 20, 8, 'bogus', 'c37c9c09708f319e5f2ec180ce52862576992fee36e5a6aaa73c9684a7453e2c'],
];

describe('sketch renderer output', () => {
  it.each(GOLDEN)(
    'is byte-identical for %j at %ix%i, steps %i, seed %i, style %s',
    async (prompt, width, height, steps, seed, style, sha256) => {
      const { png } = await renderSketch({ prompt, width, height, steps, seed, style: style ?? undefined });
      expect(createHash('sha256').update(png).digest('hex')).toBe(sha256);
    },
  );
});
