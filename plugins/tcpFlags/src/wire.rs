//! Reading header fields from the header slices the core hands over, and T2's checksum.
//!
//! Bytes past the end of a slice read as 0: T2 reads whatever follows in its buffer there, which
//! only matters for packets cut inside a header.

/// Byte `i` of `b`.
pub fn u8_at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

/// Big-endian 16-bit field at `i`.
pub fn be16(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([u8_at(b, i), u8_at(b, i + 1)])
}

/// Big-endian 32-bit field at `i`.
pub fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([u8_at(b, i), u8_at(b, i + 1), u8_at(b, i + 2), u8_at(b, i + 3)])
}

/// The 16-bit word at `i` as T2 reads it on x86-64: little-endian. T2 masks some header words in
/// this form (e.g. the IPv4 fragment word with `0xff1f`), with results that differ from masking
/// the big-endian value, so those tests are kept in this form.
pub fn le16(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([u8_at(b, i), u8_at(b, i + 1)])
}

/// T2's internet checksum: the one's complement sum of the little-endian words of the first `len`
/// bytes of `data`, added to `sum`, minus the word at index `skip_word` (the checksum field;
/// 0: none), folded to 16 bits. The sum is kept in 32 bits that wrap, as T2's does.
pub fn checksum(data: &[u8], sum: u32, len: u16, skip_word: u16) -> u16 {
    let len = usize::from(len);
    let mut sum = sum;
    if skip_word > 0 {
        sum = sum.wrapping_sub(u32::from(le16(data, 2 * usize::from(skip_word))));
    }
    let covered = &data[..len.min(data.len())];
    let mut words = covered.chunks_exact(2);
    for w in &mut words {
        sum = sum.wrapping_add(u32::from(u16::from_le_bytes([w[0], w[1]])));
    }
    if len & 1 == 1 {
        sum = sum.wrapping_add(u32::from(u8_at(data, len - 1)));
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_of_a_valid_ipv4_header_is_all_ones() {
        let h = tranalyzer::testing::ipv4_header([10, 0, 0, 1], [10, 0, 0, 2], 6, 7, 0x4000, 20);
        // the header's own checksum word included: one's complement sum 0xffff
        assert_eq!(checksum(&h, 0, 20, 0), 0xffff);
        // skipped: the complement of the sum is the field, read as T2 reads it
        let field = be16(&h, 10);
        assert_eq!((!checksum(&h, 0, 20, 5)).swap_bytes(), field);
    }

    #[test]
    fn odd_length_adds_the_last_byte_as_low_byte() {
        assert_eq!(checksum(&[0x01, 0x02, 0x03], 0, 3, 0), 0x0201 + 0x03);
    }

    #[test]
    fn reads_past_the_end_as_zero() {
        assert_eq!(be32(&[1, 2], 0), 0x0102_0000);
        assert_eq!(le16(&[], 4), 0);
    }
}
