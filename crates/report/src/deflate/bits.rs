//! The LSB-first bit writer deflate needs. It never writes past its buffer:
//! bytes beyond the end are counted, not stored, so the caller can size the
//! stream first and check it fits.

pub(crate) struct BitWriter<'a> {
    out: &'a mut [u8],
    pos: usize,
    acc: u32,
    n: u32,
}

impl<'a> BitWriter<'a> {
    pub(crate) fn new(out: &'a mut [u8]) -> Self {
        BitWriter {
            out,
            pos: 0,
            acc: 0,
            n: 0,
        }
    }

    /// Bytes completed so far.
    pub(crate) fn len(&self) -> usize {
        self.pos
    }

    /// Appends the low `bits` (at most 16) of `v`.
    #[inline]
    pub(crate) fn put(&mut self, v: u32, bits: u32) {
        let bits = bits & 31;
        let mask = (1u32 << bits).wrapping_sub(1);
        // n < 8 on entry and bits <= 16, so the accumulator holds < 32 bits.
        self.acc |= (v & mask) << (self.n & 7);
        self.n = self.n.wrapping_add(bits);
        while self.n >= 8 {
            if let Some(b) = self.out.get_mut(self.pos) {
                *b = self.acc as u8;
            }
            self.pos = self.pos.saturating_add(1);
            self.acc >>= 8;
            self.n = self.n.wrapping_sub(8);
        }
    }

    /// Huffman codes go most significant bit first, so they are stored
    /// bit-reversed (see [`super::huffman::canonical`]); this writes them.
    #[inline]
    pub(crate) fn put_code(&mut self, reversed: u16, len: u8) {
        self.put(u32::from(reversed), u32::from(len & 15));
    }

    /// Pads to a byte boundary with zero bits.
    pub(crate) fn align(&mut self) {
        if self.n > 0 {
            self.put(0, 8 - self.n);
        }
    }
}
