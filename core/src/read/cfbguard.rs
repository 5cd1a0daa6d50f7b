//! Checks on an xls file (an OLE/CFB container holding a BIFF "Workbook" stream) before
//! calamine opens it. calamine reads every sheet at open time and trusts the container: a
//! sector chain that loops or points past the end, a truncated sector, or a DIMENSIONS record
//! claiming billions of cells makes it panic, loop or allocate without bound. Here the same
//! structures are walked with every index checked, and the cells a sheet would occupy are
//! counted from its records, so such a file is refused with a reason instead.

use super::Limits;
use crate::{Error, Result};

const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
/// Sector ids at or above this are markers (free, end of chain, FAT, DIFAT), not sectors.
const RESERVED: u32 = 0xFFFF_FFFA;
const DIF_SECT: u32 = 0xFFFF_FFFC;
const MINI: usize = 64;

fn damaged(file: &str, what: &str) -> Error {
    Error::unreadable(
        file,
        format!(
            "tệp xls bị hỏng ({what}); hãy mở bằng Excel hoặc LibreOffice và lưu lại (nên lưu thành xlsx)"
        ),
    )
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

struct Cfb<'a> {
    bytes: &'a [u8],
    size: usize,
    /// Complete sectors after the header.
    sectors: usize,
    fat: Vec<u32>,
}

impl<'a> Cfb<'a> {
    fn sector(&self, id: u32) -> Option<&'a [u8]> {
        if (id as usize) >= self.sectors {
            return None;
        }
        let start = (id as usize + 1) * self.size;
        self.bytes.get(start..start + self.size)
    }

    /// The bytes of a chain, read as calamine reads it (stop at `len` or at the end marker),
    /// refusing a sector past the end, a FAT index out of range or a loop.
    fn chain(&self, mut id: u32, len: usize, what: &str) -> std::result::Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut steps = 0usize;
        while id != END_OF_CHAIN {
            let s = self
                .sector(id)
                .ok_or_else(|| format!("{what}: khối {id} nằm ngoài tệp"))?;
            let take = s.len().min(len - out.len());
            out.extend_from_slice(&s[..take]);
            if out.len() >= len {
                break;
            }
            steps += 1;
            if steps > self.sectors {
                return Err(format!("{what}: chuỗi khối lặp vòng"));
            }
            id = *self
                .fat
                .get(id as usize)
                .ok_or_else(|| format!("{what}: bảng cấp phát không có khối {id}"))?;
        }
        Ok(out)
    }
}

struct Entry {
    name: String,
    start: u32,
    len: u64,
}

/// Check the container and the cells each sheet would take.
pub fn check(bytes: &[u8], file: &str, limits: &Limits) -> Result<()> {
    let stream = workbook_stream(bytes).map_err(|w| damaged(file, &w))?;
    match stream {
        Some(s) => check_biff(&s, file, limits),
        None => Ok(()),
    }
}

/// The Workbook (or BIFF5 "Book") stream; None when there is none (calamine then says so).
fn workbook_stream(bytes: &[u8]) -> std::result::Result<Option<Vec<u8>>, String> {
    if bytes.len() < 512 || bytes[..8] != SIGNATURE {
        return Err("phần đầu tệp OLE không đầy đủ".into());
    }
    let size = match u16_at(bytes, 30) {
        Some(9) => 512,
        Some(12) => 4096,
        // calamine refuses these itself, with its own reason.
        _ => return Ok(None),
    };
    if u16_at(bytes, 32) != Some(6) || bytes.len() < size {
        return Ok(None);
    }
    let sectors = bytes.len() / size - 1;
    let mut cfb = Cfb {
        bytes,
        size,
        sectors,
        fat: Vec::new(),
    };
    // DIFAT: 109 ids in the header, then a chain of DIFAT sectors (calamine pops the last id
    // of each as the next one).
    let mut difat: Vec<u32> = bytes[76..512]
        .chunks_exact(4)
        .filter_map(|c| u32_at(c, 0))
        .collect();
    let mut id = u32_at(bytes, 68).unwrap_or(END_OF_CHAIN);
    let mut steps = 0usize;
    while id < RESERVED {
        steps += 1;
        if steps > sectors + 1 {
            return Err("chuỗi DIFAT lặp vòng".into());
        }
        let s = cfb
            .sector(id)
            .ok_or_else(|| format!("khối DIFAT {id} nằm ngoài tệp"))?;
        difat.extend(s.chunks_exact(4).filter_map(|c| u32_at(c, 0)));
        id = difat.pop().ok_or("DIFAT rỗng")?;
    }
    for &fid in difat.iter().filter(|&&f| f < DIF_SECT) {
        let s = cfb
            .sector(fid)
            .ok_or_else(|| format!("khối FAT {fid} nằm ngoài tệp"))?;
        cfb.fat
            .extend(s.chunks_exact(4).filter_map(|c| u32_at(c, 0)));
        if cfb.fat.len() > sectors.saturating_mul(size / 4) + size {
            return Err("bảng cấp phát lớn hơn tệp".into());
        }
    }
    let dir_start = u32_at(bytes, 48).unwrap_or(END_OF_CHAIN);
    let dirs = cfb.chain(dir_start, usize::MAX, "thư mục")?;
    let mut entries = Vec::new();
    for d in dirs.chunks_exact(128) {
        let name: Vec<u16> = d[..64]
            .chunks_exact(2)
            .filter_map(|c| u16_at(c, 0))
            .take_while(|&u| u != 0)
            .collect();
        let len = if size == 512 {
            u32_at(d, 120).unwrap_or(0) as u64
        } else {
            u64_at(d, 120).unwrap_or(0)
        };
        if len > u32::MAX as u64 {
            return Err(format!("mục thư mục khai báo {len} byte"));
        }
        entries.push(Entry {
            name: String::from_utf16_lossy(&name),
            start: u32_at(d, 116).unwrap_or(END_OF_CHAIN),
            len,
        });
    }
    let Some(root) = entries.first() else {
        return Ok(None);
    };
    // The mini stream (streams under 4096 bytes live in 64-byte mini sectors).
    let mini_fat_len = u32_at(bytes, 64).unwrap_or(0) as usize;
    let (mini_stream, mini_fat) = if mini_fat_len > 0 {
        let stream = cfb.chain(root.start, root.len as usize, "luồng nhỏ")?;
        let fat = cfb.chain(
            u32_at(bytes, 60).unwrap_or(END_OF_CHAIN),
            mini_fat_len.saturating_mul(size),
            "bảng cấp phát nhỏ",
        )?;
        let fat: Vec<u32> = fat.chunks_exact(4).filter_map(|c| u32_at(c, 0)).collect();
        (stream, fat)
    } else {
        (Vec::new(), Vec::new())
    };
    let read = |e: &Entry| -> std::result::Result<Vec<u8>, String> {
        let len = e.len as usize;
        if len >= 4096 {
            return cfb.chain(e.start, len, &e.name);
        }
        let mut out = Vec::new();
        let mut id = e.start;
        let mut steps = 0usize;
        while id != END_OF_CHAIN && out.len() < len {
            let start = id as usize * MINI;
            let s = mini_stream
                .get(start..start + MINI)
                .ok_or_else(|| format!("{}: khối nhỏ {id} nằm ngoài luồng", e.name))?;
            out.extend_from_slice(&s[..MINI.min(len - out.len())]);
            steps += 1;
            if steps > mini_fat.len() + 1 {
                return Err(format!("{}: chuỗi khối nhỏ lặp vòng", e.name));
            }
            if out.len() < len {
                id = *mini_fat
                    .get(id as usize)
                    .ok_or_else(|| format!("{}: bảng cấp phát nhỏ không có khối {id}", e.name))?;
            }
        }
        Ok(out)
    };
    let find = |n: &str| entries.iter().find(|e| e.name.eq_ignore_ascii_case(n));
    // calamine reads these two at open as well.
    for n in ["\u{5}SummaryInformation", "\u{5}DocumentSummaryInformation"] {
        if let Some(e) = find(n) {
            read(e)?;
        }
    }
    match find("Workbook").or_else(|| find("Book")) {
        Some(e) => read(e).map(Some),
        None => Ok(None),
    }
}

/// Cell records whose first four bytes are (row, column).
fn is_cell(typ: u16) -> bool {
    matches!(
        typ,
        0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 | 0x00BD
    )
}

/// Records calamine reads at fixed offsets without checking their length first.
fn min_len(typ: u16) -> Option<usize> {
    Some(match typ {
        0x002F | 0x0042 | 0x0022 | 0x0017 | 0x041E => 2, // FILEPASS, CODEPAGE, DATE1904, EXTERNSHEET, FORMAT
        0x0809 => 4,                                     // BOF
        0x0018 => 6,                                     // NAME
        _ => return None,
    })
}

/// Walk the BIFF records: per sheet substream, the cells its DIMENSIONS record reserves and the
/// rectangle its cells span must stay within `max_cells`.
fn check_biff(s: &[u8], file: &str, limits: &Limits) -> Result<()> {
    let mut at = 0usize;
    let mut sheet = 0usize;
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let refuse = |sheet: usize, what: String| {
        Error::unreadable(
            file,
            format!(
                "trang tính thứ {sheet}: {what}, vượt giới hạn {} ô; hãy xoá các dòng/cột thừa hoặc tách tệp (nếu tệp hỏng, mở bằng Excel và lưu lại)",
                limits.max_cells
            ),
        )
    };
    while let (Some(typ), Some(len)) = (u16_at(s, at), u16_at(s, at + 2)) {
        let data = s.get(at + 4..at + 4 + len as usize).unwrap_or(&[]);
        at += 4 + len as usize;
        if let Some(need) = min_len(typ) {
            if data.len() < need {
                return Err(damaged(
                    file,
                    &format!("bản ghi 0x{typ:04X} chỉ có {} byte", data.len()),
                ));
            }
        }
        match typ {
            // BOF: a new substream (the globals first, then one per sheet).
            0x0809 => {
                sheet += 1;
                bounds = None;
            }
            // FILEPASS: the rest is encrypted; calamine refuses it.
            0x002F => return Ok(()),
            0x0200 => {
                let (rows, cols) = match data.len() {
                    10 => (
                        u16_at(data, 2).unwrap_or(0) as u64,
                        u16_at(data, 6).unwrap_or(0) as u64,
                    ),
                    14 | 16 => (
                        u32_at(data, 4).unwrap_or(0) as u64,
                        u16_at(data, 10).unwrap_or(0) as u64,
                    ),
                    _ => (0, 0),
                };
                // calamine reserves (last row − first row + 1) × (last col − first col + 1);
                // the last-plus-one values bound that from above.
                if rows.saturating_mul(cols) > limits.max_cells {
                    return Err(refuse(
                        sheet.saturating_sub(1),
                        format!("khai báo kích thước {rows} dòng × {cols} cột"),
                    ));
                }
            }
            t if is_cell(t) => {
                let (Some(r), Some(c)) = (u16_at(data, 0), u16_at(data, 2)) else {
                    continue;
                };
                // FORMULA: calamine slices the parsed formula by its declared length unchecked.
                if t == 0x0006 && data.len() >= 22 {
                    let cce = u16_at(data, 20).unwrap_or(0) as usize;
                    if 22 + cce > data.len() {
                        return Err(damaged(
                            file,
                            &format!(
                                "trang tính thứ {}, ô {}: công thức khai báo dài hơn bản ghi",
                                sheet.saturating_sub(1),
                                crate::cell::a1(r as u32, c as u32)
                            ),
                        ));
                    }
                }
                // MULRK: (row, first col, …, last col).
                let c_last = if t == 0x00BD && data.len() >= 6 {
                    u16_at(data, data.len() - 2).unwrap_or(c).max(c)
                } else {
                    c
                };
                let (r, c, c_last) = (r as u32, c as u32, c_last as u32);
                let b = match bounds {
                    None => (r, c, r, c_last),
                    Some((r0, c0, r1, c1)) => (r0.min(r), c0.min(c), r1.max(r), c1.max(c_last)),
                };
                let cells = (b.2 - b.0 + 1) as u64 * (b.3 - b.1 + 1) as u64;
                if cells > limits.max_cells {
                    return Err(refuse(
                        sheet.saturating_sub(1),
                        format!(
                            "các ô trải trên {} dòng × {} cột",
                            b.2 - b.0 + 1,
                            b.3 - b.1 + 1
                        ),
                    ));
                }
                bounds = Some(b);
            }
            _ => {}
        }
    }
    Ok(())
}
