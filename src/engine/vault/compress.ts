// Block compression: LZ4 (lz4-napi) by default — chosen by measurement (docs/benchmarks.md,
// "Engine: choices"): as fast as Brotli q0 to compress, 6x faster to decompress, at a 5%
// larger vault. Brotli (Node's zlib) stays readable and selectable with BKP_CODEC=brotli.
// Incompressible blocks must not pay much: a 3-sample probe skips them cheaply.
import zlib from "node:zlib";
import lz4 from "lz4-napi";

export const CODEC_RAW = 0;
export const CODEC_BROTLI = 1;
export const CODEC_LZ4 = 2;

/** Codec for new chunks; BKP_CODEC=brotli|lz4 overrides it for benchmarks. */
const WRITE_CODEC = process.env.BKP_CODEC === "brotli" ? CODEC_BROTLI : CODEC_LZ4;

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
    outBytes += WRITE_CODEC === CODEC_LZ4 ? lz4.compressSync(Buffer.from(s.buffer, s.byteOffset, s.byteLength)).length : brotli(s, 16).length;
  }
  return outBytes > inBytes * 0.97;
}

export function compressBlock(data: Uint8Array): { codec: number; data: Uint8Array } {
  if (looksIncompressible(data)) return { codec: CODEC_RAW, data };
  const c = WRITE_CODEC === CODEC_LZ4 ? lz4.compressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength)) : brotli(data, 20);
  if (c.length > data.length * (1 - MIN_SAVING)) return { codec: CODEC_RAW, data };
  return { codec: WRITE_CODEC, data: c };
}

export function decompressBlock(codec: number, data: Uint8Array, rawLength: number): Buffer {
  if (codec === CODEC_RAW) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (codec === CODEC_LZ4) return lz4.uncompressSync(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (codec === CODEC_BROTLI) return zlib.brotliDecompressSync(data, { maxOutputLength: rawLength, params: { [zlib.constants.BROTLI_DECODER_PARAM_LARGE_WINDOW]: 0 } });
  throw new Error(`unknown codec ${codec}`);
}
