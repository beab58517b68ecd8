//! Hostile files, made by the test that sends them (never committed binaries): zip archives
//! whose members unpack to gigabytes of zeros (their headers honest or lying), shapefile parts,
//! and a workbook with one value in its far corner.

/// CRC-32 (IEEE), as zip stores it.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A raw DEFLATE stream of `n` zero bytes (n ≥ 1) in one fixed-Huffman block: a literal 0,
/// then copies of 258 bytes at distance 1 — 13 bits for every 258 bytes, the format's best
/// ratio, written directly so that a gigabyte costs the test a fraction of a second.
pub fn deflate_zeros(n: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        fn push_lsb(&mut self, value: u64, bits: u32) {
            self.acc |= value << self.len;
            self.len += bits;
            while self.len >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn push_code(&mut self, code: u64, bits: u32) {
            let mut reversed = 0;
            for i in 0..bits {
                reversed |= ((code >> i) & 1) << (bits - 1 - i);
            }
            self.push_lsb(reversed, bits);
        }
    }
    let mut w = Bits {
        out: Vec::with_capacity((n / 258 * 13 / 8 + 16) as usize),
        acc: 0,
        len: 0,
    };
    w.push_lsb(1, 1); // last block
    w.push_lsb(1, 2); // fixed Huffman codes
    w.push_code(0x30, 8); // literal 0
    let mut left = n - 1;
    while left >= 258 {
        w.push_code(0xC5, 8); // length 258 (code 285)
        w.push_code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        w.push_code(0x30, 8);
    }
    w.push_code(0, 7); // end of block
    w.push_lsb(0, 7); // flush
    w.out
}

/// A member of an archive made by [`zip`].
pub enum Member {
    /// Stored as given, its header honest.
    Stored(Vec<u8>),
    /// `actual` zero bytes, deflated, with `declared` as the size its headers give.
    Zeros { actual: u64, declared: u64 },
}

/// A zip archive of the members, in order.
pub fn zip(members: &[(&str, Member)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, member) in members {
        let (method, data, crc, size): (u16, Vec<u8>, u32, u64) = match member {
            Member::Stored(bytes) => (0, bytes.clone(), crc32(bytes), bytes.len() as u64),
            Member::Zeros { actual, declared } => (8, deflate_zeros(*actual), 0, *declared),
        };
        let size32 = u32::try_from(size).unwrap_or(u32::MAX);
        let offset = out.len() as u32;
        let header = |sig: u32, central: bool| {
            let mut h = Vec::new();
            h.extend_from_slice(&sig.to_le_bytes());
            if central {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // needed to extract
            h.extend_from_slice(&0u16.to_le_bytes()); // flags
            h.extend_from_slice(&method.to_le_bytes());
            h.extend_from_slice(&0u32.to_le_bytes()); // time, date
            h.extend_from_slice(&crc.to_le_bytes());
            h.extend_from_slice(&(data.len() as u32).to_le_bytes());
            h.extend_from_slice(&size32.to_le_bytes());
            h.extend_from_slice(&(name.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            if central {
                h.extend_from_slice(&0u16.to_le_bytes()); // comment
                h.extend_from_slice(&0u16.to_le_bytes()); // disk
                h.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
                h.extend_from_slice(&0u32.to_le_bytes()); // external attributes
                h.extend_from_slice(&offset.to_le_bytes());
            }
            h.extend_from_slice(name.as_bytes());
            h
        };
        out.extend_from_slice(&header(0x0403_4b50, false));
        out.extend_from_slice(&data);
        central.extend_from_slice(&header(0x0201_4b50, true));
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disks
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(members.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// A `.shp` (polygons) holding `nulls` null records.
pub fn shp_of_nulls(nulls: usize) -> Vec<u8> {
    let mut out = vec![0u8; 100];
    out[0..4].copy_from_slice(&9994i32.to_be_bytes());
    out[24..28].copy_from_slice(&(((100 + 12 * nulls) / 2) as i32).to_be_bytes());
    out[28..32].copy_from_slice(&1000i32.to_le_bytes());
    out[32..36].copy_from_slice(&5i32.to_le_bytes());
    for n in 0..nulls {
        out.extend_from_slice(&(n as i32 + 1).to_be_bytes());
        out.extend_from_slice(&2i32.to_be_bytes());
        out.extend_from_slice(&0i32.to_le_bytes());
    }
    out
}

/// A `.dbf` with one character field `CODE` and these values.
pub fn dbf(codes: &[&str]) -> Vec<u8> {
    let width = 20u8;
    let mut out = vec![0x03, 126, 12, 1];
    out.extend_from_slice(&(codes.len() as u32).to_le_bytes());
    out.extend_from_slice(&(32u16 + 32 + 1).to_le_bytes());
    out.extend_from_slice(&(1u16 + u16::from(width)).to_le_bytes());
    out.extend_from_slice(&[0; 20]);
    let mut field = [0u8; 32];
    field[..4].copy_from_slice(b"CODE");
    field[11] = b'C';
    field[16] = width;
    out.extend_from_slice(&field);
    out.push(0x0D);
    for code in codes {
        out.push(b' ');
        let mut cell = code.as_bytes().to_vec();
        cell.resize(usize::from(width), b' ');
        out.extend_from_slice(&cell);
    }
    out.push(0x1A);
    out
}

/// A workbook of 1.5 KB or so with a value in A1 and one in the last cell, XFD1048576.
pub fn far_corner_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "统一社会信用代码").expect("A1");
    sheet
        .write_string(1_048_575, 16_383, "x")
        .expect("XFD1048576");
    book.save_to_buffer().expect("workbook")
}
