//! What a file can be read from: anything `Read + Seek + Send`, and, where it can be had, a second
//! reader of the same bytes, so the xlsx merge pre-pass can run beside the cell reader.

use std::io::{Cursor, Read, Seek, SeekFrom};

pub trait Source: Read + Seek + Send {
    type Again: Read + Seek + Send;
    /// The same bytes on an independent reader (its own position), or None.
    fn again(&self) -> Option<Self::Again>;
}

impl<'a> Source for Cursor<&'a [u8]> {
    type Again = Cursor<&'a [u8]>;
    fn again(&self) -> Option<Self::Again> {
        Some(Cursor::new(*self.get_ref()))
    }
}

impl<S: Source> Source for std::io::BufReader<S> {
    type Again = S::Again;
    fn again(&self) -> Option<Self::Again> {
        self.get_ref().again()
    }
}

impl Source for std::fs::File {
    type Again = At;
    /// Unix: positioned reads on a duplicate handle, which leave the shared file offset (the
    /// main reader's) alone. Windows moves the offset on positioned reads: no second reader.
    fn again(&self) -> Option<At> {
        if cfg!(unix) {
            let file = self.try_clone().ok()?;
            let len = file.metadata().ok()?.len();
            Some(At { file, pos: 0, len })
        } else {
            None
        }
    }
}

/// A reader of a file by positioned reads (`pread`), with its own position.
#[cfg_attr(not(unix), allow(dead_code))]
pub struct At {
    file: std::fs::File,
    pos: u64,
    len: u64,
}

impl Read for At {
    #[cfg(unix)]
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::unix::fs::FileExt;
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }

    #[cfg(not(unix))]
    fn read(&mut self, _buf: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("positioned reads need unix"))
    }
}

impl Seek for At {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| std::io::Error::other("seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_second_reader_leaves_the_first_where_it_was() {
        let path = std::env::temp_dir().join(format!("hangviet-at-{}.bin", std::process::id()));
        std::fs::write(&path, b"0123456789").unwrap();
        let mut main = std::fs::File::open(&path).unwrap();
        let mut head = [0u8; 3];
        main.read_exact(&mut head).unwrap();
        let mut again = main.again().unwrap();
        let mut all = Vec::new();
        again.read_to_end(&mut all).unwrap();
        assert_eq!(all, b"0123456789");
        again.seek(SeekFrom::End(-2)).unwrap();
        let mut tail = Vec::new();
        again.read_to_end(&mut tail).unwrap();
        assert_eq!(tail, b"89");
        let mut next = [0u8; 3];
        main.read_exact(&mut next).unwrap();
        assert_eq!((&head, &next), (b"012", b"345"));
        std::fs::remove_file(&path).ok();
    }
}
