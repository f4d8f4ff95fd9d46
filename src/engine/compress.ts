// Block compression. Brotli at quality 0 from Node's own zlib: measured fastest with a good
// ratio on this machine (docs/benchmarks.md, "Engine: choices"), and no dependency.
// Incompressible blocks must not pay much: a 3-sample probe skips them cheaply.
import zlib from "node:zlib";

export const CODEC_RAW = 0;
export const CODEC_BROTLI = 1;

const Q = zlib.constants.BROTLI_PARAM_QUALITY;
const W = zlib.constants.BROTLI_PARAM_LGWIN;
const HINT = zlib.constants.BROTLI_PARAM_SIZE_HINT;
const MODE = zlib.constants.BROTLI_PARAM_MODE;

const SAMPLE = 16 * 1024;
/** Keep compressed output only if it saves at least this fraction. */
const MIN_SAVING = 0.03;

function brotli(data: Uint8Array, lgwin: number): Buffer {
  return zlib.brotliCompressSync(data, {
    params: { [Q]: 0, [W]: lgwin, [HINT]: data.length, [MODE]: zlib.constants.BROTLI_MODE_GENERIC },
  });
}

/** True when three small samples (start, middle, end) do not compress: random or already-compressed data. */
function looksIncompressible(data: Uint8Array): boolean {
  if (data.length < 4 * SAMPLE) return false;
  let inBytes = 0;
  let outBytes = 0;
  for (const at of [0, (data.length >> 1) - SAMPLE / 2, data.length - SAMPLE]) {
    const s = data.subarray(at, at + SAMPLE);
    inBytes += s.length;
    outBytes += brotli(s, 16).length;
  }
  return outBytes > inBytes * 0.97;
}

export function compressBlock(data: Uint8Array): { codec: number; data: Uint8Array } {
  if (looksIncompressible(data)) return { codec: CODEC_RAW, data };
  const c = brotli(data, 20);
  if (c.length > data.length * (1 - MIN_SAVING)) return { codec: CODEC_RAW, data };
  return { codec: CODEC_BROTLI, data: c };
}

export function decompressBlock(codec: number, data: Uint8Array, rawLength: number): Buffer {
  if (codec === CODEC_RAW) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (codec === CODEC_BROTLI) return zlib.brotliDecompressSync(data, { maxOutputLength: rawLength, params: { [zlib.constants.BROTLI_DECODER_PARAM_LARGE_WINDOW]: 0 } });
  throw new Error(`unknown codec ${codec}`);
}
