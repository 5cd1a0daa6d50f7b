//! A file read once and hashed on the way: a CSV is read from start to end (after a look at
//! its head), so its SHA-256 needs no second read of the file, nor a thread of its own beside
//! the check (on two cores that thread took its turns from the check's two).

use hangviet_core::read::Source;
use hangviet_core::rules::hex;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

/// Hashes each byte of the file once, the first time the bytes before it have all been hashed:
/// bytes read again (a second pass, a look at the head) are not hashed twice, and a file read
/// out of order is finished by `finish`.
pub struct Hashing {
    file: File,
    pos: u64,
    hashed: u64,
    hasher: Sha256,
}

impl Hashing {
    pub fn new(file: File) -> Hashing {
        Hashing {
            file,
            pos: 0,
            hashed: 0,
            hasher: Sha256::new(),
        }
    }

    /// The file's SHA-256: what was read in order, and the rest read now.
    pub fn finish(mut self) -> std::io::Result<String> {
        self.file.seek(SeekFrom::Start(self.hashed))?;
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = self.file.read(&mut buf)?;
            if n == 0 {
                break;
            }
            self.hasher.update(&buf[..n]);
        }
        Ok(hex(&self.hasher.finalize()))
    }
}

impl Read for Hashing {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        let end = self.pos + n as u64;
        if self.pos <= self.hashed && self.hashed < end {
            let from = usize::try_from(self.hashed - self.pos).unwrap_or(n);
            self.hasher.update(buf.get(from..n).unwrap_or_default());
            self.hashed = end;
        }
        self.pos = end;
        Ok(n)
    }
}

impl Seek for Hashing {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.pos = self.file.seek(to)?;
        Ok(self.pos)
    }
}

impl Source for Hashing {
    type Again = <File as Source>::Again;
    fn again(&self) -> Option<Self::Again> {
        self.file.again()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bytes: &[u8]) -> (tempfile_path::Path, File) {
        let p = tempfile_path::Path::new(bytes);
        let f = File::open(&p.0).expect("open");
        (p, f)
    }

    /// A file in the system's temporary folder, removed when dropped.
    mod tempfile_path {
        pub struct Path(pub std::path::PathBuf);
        impl Path {
            pub fn new(bytes: &[u8]) -> Path {
                use std::sync::atomic::{AtomicUsize, Ordering};
                static N: AtomicUsize = AtomicUsize::new(0);
                let p = std::env::temp_dir().join(format!(
                    "hangviet-hashing-{}-{}",
                    std::process::id(),
                    N.fetch_add(1, Ordering::Relaxed)
                ));
                std::fs::write(&p, bytes).expect("write");
                Path(p)
            }
        }
        impl Drop for Path {
            fn drop(&mut self) {
                let _ = std::fs::remove_file(&self.0);
            }
        }
    }

    fn bytes() -> Vec<u8> {
        (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect()
    }

    fn want(b: &[u8]) -> String {
        hex(&Sha256::digest(b))
    }

    #[test]
    fn a_file_read_through_is_hashed_on_the_way() {
        let b = bytes();
        let (_p, f) = file(&b);
        let mut h = Hashing::new(f);
        let mut out = Vec::new();
        h.read_to_end(&mut out).expect("read");
        assert_eq!(out, b);
        assert_eq!(h.hashed, b.len() as u64);
        assert_eq!(h.finish().expect("hash"), want(&b));
    }

    #[test]
    fn bytes_read_again_are_hashed_once() {
        let b = bytes();
        let (_p, f) = file(&b);
        let mut h = Hashing::new(f);
        // A look at the head, then from the start, twice over (a second pass).
        let mut head = [0u8; 1000];
        h.read_exact(&mut head).expect("head");
        for _ in 0..2 {
            h.seek(SeekFrom::Start(0)).expect("seek");
            let mut out = Vec::new();
            std::io::BufReader::with_capacity(4096, &mut h)
                .read_to_end(&mut out)
                .expect("read");
        }
        assert_eq!(h.finish().expect("hash"), want(&b));
    }

    #[test]
    fn a_file_read_out_of_order_or_in_part_is_finished() {
        let b = bytes();
        let (_p, f) = file(&b);
        let mut h = Hashing::new(f);
        let mut part = [0u8; 5000];
        h.read_exact(&mut part).expect("start");
        // Jumping ahead (a zip's directory at its end) leaves a gap: not hashed there.
        h.seek(SeekFrom::End(-100)).expect("seek");
        let mut tail = Vec::new();
        h.read_to_end(&mut tail).expect("tail");
        assert_eq!(h.hashed, 5000);
        assert_eq!(h.finish().expect("hash"), want(&b));
        let (_p2, f2) = file(b"");
        assert_eq!(Hashing::new(f2).finish().expect("hash"), want(b""));
    }
}
