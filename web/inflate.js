/*
 * panicqr's zlib inflater (RFC 1950/1951), written for this page so that a
 * cut or damaged report still yields every byte decoded before the damage.
 * Output stops at MAX_LOG_BYTES, as in the Rust decoder (docs/format.md §7):
 * a link of a few kilobytes must not be able to fill the tab's memory.
 * Classic script (works from file://); also loadable with require() in Node.
 */
(function (root) {
  "use strict";

  const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
    131, 163, 195, 227, 258];
  const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
  const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
  const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
    13, 13];
  const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

  /* 4 MiB: deflate's densest code turns the largest QR payload (2,956
   * bytes) into at most about 3.05 MB; more is a decompression bomb. */
  const MAX_LOG_BYTES = 4 * 1024 * 1024;

  class Cut extends Error {}
  class Corrupt extends Error {}
  class Limit extends Error {}

  /*
   * A canonical Huffman code as counts per length and symbols in code order.
   * Which codes are refused is what miniz_oxide (the Rust decoder's
   * inflater) refuses, so that the page and the CLI call the same data
   * damaged: over-subscribed codes, and incomplete ones unless they have at
   * most one symbol (the code-length code must always be complete).
   */
  function huffman(lengths, mustBeComplete) {
    const count = new Array(16).fill(0);
    for (const l of lengths) count[l]++;
    count[0] = 0;
    let left = 1, used = 0;
    for (let len = 1; len < 16; len++) {
      left = left * 2 - count[len];
      used += count[len];
      if (left < 0) throw new Corrupt("over-subscribed code");
    }
    if (left > 0 && (used > 1 || mustBeComplete)) throw new Corrupt("incomplete code");
    const offs = new Array(16).fill(0);
    for (let len = 1; len < 15; len++) offs[len + 1] = offs[len] + count[len];
    const symbols = new Array(lengths.length);
    lengths.forEach((l, sym) => { if (l) symbols[offs[l]++] = sym; });
    return { count, symbols };
  }

  /* Returns { bytes, error }: error is null, "cut", "corrupt", "checksum"
   * or "limit". */
  function inflateZlib(data) {
    let out = new Uint8Array(1 << 16), outLen = 0;
    const push = (b) => {
      if (outLen === out.length) {
        if (outLen >= MAX_LOG_BYTES) throw new Limit("output limit");
        const bigger = new Uint8Array(Math.min(out.length * 2, MAX_LOG_BYTES));
        bigger.set(out);
        out = bigger;
      }
      out[outLen++] = b;
    };
    let pos = 0, bitbuf = 0, bitcnt = 0;
    const bits = (n) => {
      while (bitcnt < n) {
        if (pos >= data.length) throw new Cut("input ends");
        bitbuf |= data[pos++] << bitcnt;
        bitcnt += 8;
      }
      const v = bitbuf & ((1 << n) - 1);
      bitbuf >>>= n;
      bitcnt -= n;
      return v;
    };
    const decode = (h) => {
      let code = 0, first = 0, index = 0;
      for (let len = 1; len < 16; len++) {
        code |= bits(1);
        const c = h.count[len];
        if (code - c < first) return h.symbols[index + (code - first)];
        index += c;
        first = (first + c) << 1;
        code <<= 1;
      }
      throw new Corrupt("invalid code");
    };
    const fixed = (() => {
      const l = new Array(288);
      for (let i = 0; i < 288; i++) l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
      // Distance codes 30 and 31 exist in the fixed code but are invalid.
      return { lit: huffman(l), dist: huffman(new Array(32).fill(5)) };
    })();
    let error = null;
    try {
      if (data.length < 2) throw new Corrupt("no header");
      const cmf = data[0], flg = data[1];
      if ((cmf & 15) !== 8 || cmf >> 4 > 7 || ((cmf << 8) | flg) % 31 !== 0 || (flg & 0x20)) throw new Corrupt("not a zlib stream");
      pos = 2;
      let last = 0;
      while (!last) {
        last = bits(1);
        const type = bits(2);
        if (type === 0) {
          bitbuf = 0; bitcnt = 0;
          if (pos + 4 > data.length) throw new Cut("stored header");
          const len = data[pos] | (data[pos + 1] << 8), nlen = data[pos + 2] | (data[pos + 3] << 8);
          if (len !== (~nlen & 0xffff)) throw new Corrupt("stored length");
          pos += 4;
          for (let i = 0; i < len; i++) {
            if (pos >= data.length) throw new Cut("stored data");
            push(data[pos++]);
          }
          continue;
        }
        if (type === 3) throw new Corrupt("block type 3");
        let lit = fixed.lit, dist = fixed.dist;
        if (type === 2) {
          const nlen = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
          if (nlen > 286 || ndist > 30) throw new Corrupt("counts");
          const cl = new Array(19).fill(0);
          for (let i = 0; i < ncode; i++) cl[CL_ORDER[i]] = bits(3);
          const clh = huffman(cl, true);
          const lengths = [];
          while (lengths.length < nlen + ndist) {
            const sym = decode(clh);
            if (sym < 16) { lengths.push(sym); continue; }
            let rep = 0, val = 0;
            if (sym === 16) {
              if (!lengths.length) throw new Corrupt("repeat with no length");
              val = lengths[lengths.length - 1];
              rep = 3 + bits(2);
            } else if (sym === 17) rep = 3 + bits(3);
            else rep = 11 + bits(7);
            if (lengths.length + rep > nlen + ndist) throw new Corrupt("too many lengths");
            for (let i = 0; i < rep; i++) lengths.push(val);
          }
          lit = huffman(lengths.slice(0, nlen));
          dist = huffman(lengths.slice(nlen));
        }
        for (;;) {
          const sym = decode(lit);
          if (sym < 256) { push(sym); continue; }
          if (sym === 256) break;
          const li = sym - 257;
          if (li >= 29) throw new Corrupt("length code");
          const len = LEN_BASE[li] + bits(LEN_EXTRA[li]);
          const di = decode(dist);
          if (di >= 30) throw new Corrupt("distance code");
          const d = DIST_BASE[di] + bits(DIST_EXTRA[di]);
          // Before the start of the data, read zeros: miniz_oxide's window
          // starts zeroed and it does not check (the checksum then fails).
          for (let i = 0; i < len; i++) push(d <= outLen ? out[outLen - d] : 0);
        }
      }
      // Adler-32, big-endian, after the last whole byte.
      if (pos + 4 > data.length) throw new Cut("no checksum");
      const want = ((data[pos] << 24) | (data[pos + 1] << 16) | (data[pos + 2] << 8) | data[pos + 3]) >>> 0;
      let a = 1, b = 0;
      for (let i = 0; i < outLen; i++) { a = (a + out[i]) % 65521; b = (b + a) % 65521; }
      if ((((b << 16) | a) >>> 0) !== want) error = "checksum";
    } catch (e) {
      if (e instanceof Cut) error = "cut";
      else if (e instanceof Corrupt) error = "corrupt";
      else if (e instanceof Limit) error = "limit";
      else throw e;
    }
    return { bytes: out.slice(0, outLen), error };
  }

  const api = { inflateZlib, MAX_LOG_BYTES };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.PanicQRInflate = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
