//! A bit writer over a caller-provided byte buffer that never writes past it.

/// Appends big-endian bit fields to a byte buffer, MSB first (ISO/IEC 18004
/// §7.4 bit order).
pub(crate) struct BitWriter<'a> {
    buf: &'a mut [u8],
    /// Bytes already flushed to `buf`.
    pos: usize,
    acc: u64,
    acc_bits: u32,
    overflow: bool,
}

impl<'a> BitWriter<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> BitWriter<'a> {
        BitWriter {
            buf,
            pos: 0,
            acc: 0,
            acc_bits: 0,
            overflow: false,
        }
    }

    /// Appends the low `n` bits of `value` (`n <= 32`).
    #[inline]
    pub(crate) fn push(&mut self, value: u32, n: u32) {
        let n = n.min(32);
        let masked = u64::from(value) & ((1u64 << n) - 1);
        self.acc = (self.acc << n) | masked;
        // acc_bits < 32 between calls; the mask states it for the optimiser
        // (no overflow check or shift check is left), a no-op otherwise.
        let bits = (self.acc_bits & 31) + n;
        if bits >= 32 {
            self.acc_bits = bits - 32;
            let word = (self.acc >> self.acc_bits) as u32;
            self.write_bytes(&word.to_be_bytes());
        } else {
            self.acc_bits = bits;
        }
    }

    fn write_bytes(&mut self, bytes: &[u8]) {
        // Saturating: a position past the buffer already fails every write.
        let end = self.pos.saturating_add(bytes.len());
        // Exactly `bytes.len()` bytes or none, so the copy cannot mismatch.
        match self
            .buf
            .get_mut(self.pos..)
            .and_then(|rest| rest.get_mut(..bytes.len()))
        {
            Some(dst) => dst.copy_from_slice(bytes),
            None => self.overflow = true,
        }
        self.pos = end;
    }

    /// Bits written so far.
    #[cfg(test)]
    pub(crate) fn bit_len(&self) -> usize {
        self.pos * 8 + self.acc_bits as usize
    }

    /// Flushes the partial byte (zero-padded) and returns the bytes written,
    /// or `None` if anything would have gone past the buffer.
    pub(crate) fn finish(mut self) -> Option<usize> {
        // Below 32 bits are pending (see `push`).
        self.acc_bits &= 31;
        while self.acc_bits >= 8 {
            self.acc_bits -= 8;
            let b = (self.acc >> self.acc_bits) as u8;
            self.write_bytes(&[b]);
        }
        if self.acc_bits > 0 {
            let b = (self.acc << (8 - self.acc_bits % 8)) as u8;
            self.acc_bits = 0;
            self.write_bytes(&[b]);
        }
        if self.overflow {
            None
        } else {
            Some(self.pos)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_msb_first() {
        let mut buf = [0u8; 8];
        let mut w = BitWriter::new(&mut buf);
        w.push(0b0100, 4);
        w.push(5, 8);
        w.push(0b1, 1);
        w.push(0xABCD_EF01, 32);
        assert_eq!(w.bit_len(), 45);
        assert_eq!(w.finish(), Some(6));
        assert_eq!(buf[..6], [0x40, 0x5D, 0x5E, 0x6F, 0x78, 0x08]);
    }

    #[test]
    fn overflow_is_reported_not_written() {
        let mut buf = [0u8; 2];
        let mut w = BitWriter::new(&mut buf);
        for _ in 0..5 {
            w.push(0xFF, 8);
        }
        assert_eq!(w.finish(), None);
    }
}
