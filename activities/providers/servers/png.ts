import { crc32 } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface Chunk {
  type: string;
  data: Buffer;
}

function chunksOf(png: Buffer): Chunk[] | null {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) return null;
  const chunks: Chunk[] = [];
  for (let at = 8; at + 12 <= png.length;) {
    const length = png.readUInt32BE(at);
    if (at + 12 + length > png.length) return null;
    chunks.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
  }
  return chunks;
}

function encodeChunk({ type, data }: Chunk): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))) >>> 0);
  return Buffer.concat([head, data, crc]);
}

/** The text of a tEXt or iTXt chunk with this keyword, if the PNG has one. */
export function pngText(png: Buffer, keyword: string): string | undefined {
  for (const { type, data } of chunksOf(png) ?? []) {
    const nul = data.indexOf(0);
    if (nul < 0 || data.toString('latin1', 0, nul) !== keyword) continue;
    if (type === 'tEXt') return data.toString('latin1', nul + 1);
    if (type === 'iTXt' && data[nul + 1] === 0) {
      // keyword \0 compression-flag method language \0 translated \0 text
      const lang = data.indexOf(0, nul + 3);
      const translated = data.indexOf(0, lang + 1);
      return data.toString('utf8', translated + 1);
    }
  }
  return undefined;
}

/**
 * The PNG with a text chunk `keyword` = `text` (tEXt when Latin-1 can hold it, else iTXt, as AUTOMATIC1111 writes
 * its `parameters`), put before the image data. A PNG that already has one is returned as it is.
 */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  const chunks = chunksOf(png);
  if (!chunks || pngText(png, keyword) !== undefined) return png;
  const latin1 = /^[\u0000-\u00ff]*$/.test(text);
  const data = latin1
    ? Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')])
    : Buffer.concat([Buffer.from(`${keyword}\0\0\0\0\0`, 'latin1'), Buffer.from(text, 'utf8')]);
  const at = Math.max(
    1,
    chunks.findIndex((c) => c.type === 'IDAT' || c.type === 'IEND'),
  );
  chunks.splice(at, 0, { type: latin1 ? 'tEXt' : 'iTXt', data });
  return Buffer.concat([SIGNATURE, ...chunks.map(encodeChunk)]);
}

/** Generation parameters in AUTOMATIC1111's infotext form, which image tools read back from the `parameters` chunk. */
export function infotext(p: {
  prompt: string;
  negativePrompt?: string;
  steps?: number;
  sampler?: string;
  seed?: number;
  width: number;
  height: number;
  model?: string;
}): string {
  const settings = [
    p.steps !== undefined ? `Steps: ${p.steps}` : null,
    p.sampler ? `Sampler: ${p.sampler}` : null,
    p.seed !== undefined ? `Seed: ${p.seed}` : null,
    `Size: ${p.width}x${p.height}`,
    p.model ? `Model: ${p.model}` : null,
  ].filter(Boolean);
  return [p.prompt, p.negativePrompt ? `Negative prompt: ${p.negativePrompt}` : null, settings.join(', ')].filter(Boolean).join('\n');
}
