//! A reader of fuzz input: typed values taken from the front of the bytes, zeros once they run
//! out, so every input (the empty one included) is a valid test case and a shorter input is a
//! simpler one (libFuzzer's minimization shortens inputs).

/// The unread rest of a fuzz input.
pub struct Input<'a> {
    rest: &'a [u8],
}

impl<'a> Input<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { rest: data }
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next `n` bytes, zero-padded past the end.
    pub fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let take = N.min(self.rest.len());
        out[..take].copy_from_slice(&self.rest[..take]);
        self.rest = &self.rest[take..];
        out
    }

    /// The next byte.
    pub fn u8(&mut self) -> u8 {
        self.bytes::<1>()[0]
    }

    /// The next 4 bytes, big-endian.
    pub fn u32(&mut self) -> u32 {
        u32::from_be_bytes(self.bytes())
    }

    /// The next 8 bytes, big-endian.
    pub fn u64(&mut self) -> u64 {
        u64::from_be_bytes(self.bytes())
    }

    /// A value in `0 ..= max` (one byte when `max` fits one, else four).
    pub fn upto(&mut self, max: u32) -> u32 {
        let raw = if max < 256 {
            u32::from(self.u8())
        } else {
            self.u32()
        };
        raw % (max + 1)
    }

    /// A length-prefixed byte string of at most `max` bytes (one length byte).
    pub fn vec(&mut self, max: usize) -> Vec<u8> {
        let len = usize::from(self.u8()) % (max + 1);
        let take = len.min(self.rest.len());
        let out = self.rest[..take].to_vec();
        self.rest = &self.rest[take..];
        out
    }
}
