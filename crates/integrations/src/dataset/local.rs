//! Local folders standing in for S3 buckets: an object is the file `<dir>/<key>`.
//!
//! Keys never leave the folder: a key that is empty, absolute, has an empty, `.` or `..`
//! segment, a backslash or a NUL, or that reaches through a symbolic link to outside the
//! folder is refused ([`BucketError::InvalidKey`]). Writes go to a temporary file in the
//! target's directory, renamed over the target once complete.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use md5::{Digest as _, Md5};

/// Why a local bucket could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum BucketError {
    /// No object has the key.
    #[error("The specified key does not exist.")]
    NoSuchKey,
    /// The key cannot name a file inside the folder.
    #[error("The specified key is not valid in a local bucket: {0}")]
    InvalidKey(String),
    /// The folder could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Temporary files of writes in progress start with this (and are never listed).
const TEMP_PREFIX: &str = ".baton-tmp-";

/// One object of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its key.
    pub key: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written (seconds since the epoch, with fractions).
    pub modified: f64,
    /// Its file.
    pub path: PathBuf,
}

fn segments(key: &str) -> Result<Vec<&str>, BucketError> {
    let invalid = || BucketError::InvalidKey(key.to_owned());
    if key.is_empty() || key.starts_with('/') || key.contains(['\\', '\0']) {
        return Err(invalid());
    }
    let parts: Vec<&str> = key.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err(invalid());
    }
    if parts.last().is_some_and(|p| p.starts_with(TEMP_PREFIX)) {
        return Err(invalid());
    }
    Ok(parts)
}

fn canonical_root(root: &Path) -> Result<PathBuf, BucketError> {
    Ok(root.canonicalize()?)
}

/// `path` exists: it must resolve to inside `root`.
fn inside(root: &Path, path: &Path, key: &str) -> Result<(), BucketError> {
    let real = path.canonicalize()?;
    if real.starts_with(root) {
        Ok(())
    } else {
        Err(BucketError::InvalidKey(key.to_owned()))
    }
}

/// The file of `key` in the folder `root`; with `create`, its directories are made.
pub fn resolve(root: &Path, key: &str, create: bool) -> Result<PathBuf, BucketError> {
    let parts = segments(key)?;
    let root = canonical_root(root)?;
    let mut path = root.clone();
    let (last, dirs) = parts
        .split_last()
        .ok_or_else(|| BucketError::InvalidKey(key.into()))?;
    for dir in dirs {
        path.push(dir);
        match std::fs::symlink_metadata(&path) {
            Ok(_) => {
                inside(&root, &path, key)?;
                if !path.is_dir() {
                    return Err(if create {
                        BucketError::InvalidKey(key.to_owned())
                    } else {
                        BucketError::NoSuchKey
                    });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !create {
                    return Err(BucketError::NoSuchKey);
                }
                std::fs::create_dir(&path)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    path.push(last);
    if std::fs::symlink_metadata(&path).is_ok() {
        inside(&root, &path, key)?;
        if path.is_dir() {
            return Err(if create {
                BucketError::InvalidKey(key.to_owned())
            } else {
                BucketError::NoSuchKey
            });
        }
    }
    Ok(path)
}

/// The existing object `key`: its file and metadata.
pub fn stat(root: &Path, key: &str) -> Result<Entry, BucketError> {
    let path = resolve(root, key, false)?;
    let meta = match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Err(BucketError::NoSuchKey),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(BucketError::NoSuchKey),
        Err(e) => return Err(e.into()),
    };
    Ok(Entry {
        key: key.to_owned(),
        size: meta.len(),
        modified: seconds(meta.modified().ok()),
        path,
    })
}

fn seconds(t: Option<SystemTime>) -> f64 {
    t.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Writes `body` as object `key`, atomically.
pub fn write(root: &Path, key: &str, body: &[u8]) -> Result<Entry, BucketError> {
    let path = resolve(root, key, true)?;
    let dir = path
        .parent()
        .ok_or_else(|| BucketError::InvalidKey(key.to_owned()))?;
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)?;
    temp.write_all(body)?;
    temp.as_file().sync_all()?;
    temp.persist(&path).map_err(|e| BucketError::Io(e.error))?;
    stat(root, key)
}

/// Removes object `key` (S3 answers the same whether it existed or not).
pub fn delete(root: &Path, key: &str) -> Result<(), BucketError> {
    match resolve(root, key, false) {
        Ok(path) => match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        },
        Err(BucketError::NoSuchKey) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Reads object `key` whole, if it is at most `limit` bytes (`Ok(None)` when larger).
pub fn read(root: &Path, key: &str, limit: u64) -> Result<Option<(Entry, Vec<u8>)>, BucketError> {
    let entry = stat(root, key)?;
    if entry.size > limit {
        return Ok(None);
    }
    let mut body = Vec::new();
    std::fs::File::open(&entry.path)?
        .take(limit + 1)
        .read_to_end(&mut body)?;
    if body.len() as u64 > limit {
        return Ok(None);
    }
    Ok(Some((entry, body)))
}

/// The quoted MD5 hex of a file's content, as S3 gives a single-part object's ETag.
pub fn etag_of_file(path: &Path) -> Result<String, BucketError> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(quoted_hex(&hasher.finalize()))
}

/// The quoted MD5 hex of `bytes`.
pub fn etag_of(bytes: &[u8]) -> String {
    quoted_hex(&Md5::digest(bytes))
}

fn quoted_hex(digest: &[u8]) -> String {
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Every object whose key starts with `prefix` and sorts after `start_after`, in S3's
/// order (by the keys' UTF-8 bytes).
pub fn list(root: &Path, prefix: &str, start_after: &str) -> Result<Vec<Entry>, BucketError> {
    let root = canonical_root(root)?;
    // Walk from the deepest folder the prefix names whole.
    let base = match prefix.rfind('/') {
        Some(at) => &prefix[..at],
        None => "",
    };
    let mut start = root.clone();
    if !base.is_empty() {
        let Ok(parts) = segments(base) else {
            return Ok(Vec::new());
        };
        for p in parts {
            start.push(p);
        }
        match start.canonicalize() {
            Ok(real) if real.starts_with(&root) && real.is_dir() => {}
            _ => return Ok(Vec::new()),
        }
    }
    let mut out = Vec::new();
    let mut dirs = vec![(start, base.to_owned())];
    while let Some((dir, key_base)) = dirs.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        for entry in entries {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if name.starts_with(TEMP_PREFIX) {
                continue;
            }
            let key = if key_base.is_empty() {
                name
            } else {
                format!("{key_base}/{name}")
            };
            let path = entry.path();
            let kind = entry.file_type()?;
            if kind.is_dir() {
                let folder = format!("{key}/");
                if folder.starts_with(prefix) || prefix.starts_with(&folder) {
                    dirs.push((path, key));
                }
                continue;
            }
            if kind.is_symlink() {
                // A link is an object only when it is a file inside the folder.
                match path.canonicalize() {
                    Ok(real) if real.starts_with(&root) && real.is_file() => {}
                    _ => continue,
                }
            } else if !kind.is_file() {
                continue;
            }
            if !key.starts_with(prefix) || key.as_str() <= start_after {
                continue;
            }
            let meta = std::fs::metadata(&path)?;
            out.push(Entry {
                key,
                size: meta.len(),
                modified: seconds(meta.modified().ok()),
                path,
            });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for key in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "./a",
            "a\\b",
            "a/",
            "a/..",
        ] {
            assert!(
                matches!(resolve(root, key, true), Err(BucketError::InvalidKey(_))),
                "{key:?}"
            );
        }
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(outside.path(), root.join("out")).unwrap();
            std::os::unix::fs::symlink(outside.path().join("secret"), root.join("s")).unwrap();
            assert!(matches!(
                resolve(root, "out/secret", false),
                Err(BucketError::InvalidKey(_))
            ));
            assert!(matches!(
                resolve(root, "out/new", true),
                Err(BucketError::InvalidKey(_))
            ));
            assert!(matches!(stat(root, "s"), Err(BucketError::InvalidKey(_))));
            assert!(list(root, "", "").unwrap().is_empty());
        }
        assert!(matches!(
            stat(root, "missing/key"),
            Err(BucketError::NoSuchKey)
        ));
    }

    #[test]
    fn objects_are_written_listed_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "b/z.txt", b"z").unwrap();
        write(root, "b/a b.txt", b"text data").unwrap();
        write(root, "b-c", b"").unwrap();
        write(root, "a", b"1").unwrap();
        let keys: Vec<String> = list(root, "", "")
            .unwrap()
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(keys, ["a", "b-c", "b/a b.txt", "b/z.txt"]);
        let keys: Vec<String> = list(root, "b/", "")
            .unwrap()
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(keys, ["b/a b.txt", "b/z.txt"]);
        let keys: Vec<String> = list(root, "b", "b-c")
            .unwrap()
            .into_iter()
            .map(|e| e.key)
            .collect();
        assert_eq!(keys, ["b/a b.txt", "b/z.txt"]);
        assert!(list(root, "nope/", "").unwrap().is_empty());
        let e = stat(root, "b/a b.txt").unwrap();
        assert_eq!(e.size, 9);
        assert_eq!(
            etag_of_file(&e.path).unwrap(),
            "\"332eec544317a6d340b8e77da7fe54ad\"" // AWS's recorded ETag of `text data`
        );
        assert!(read(root, "b/a b.txt", 8).unwrap().is_none());
        assert_eq!(read(root, "b/a b.txt", 9).unwrap().unwrap().1, b"text data");
        delete(root, "b/a b.txt").unwrap();
        delete(root, "b/a b.txt").unwrap();
        assert!(matches!(
            stat(root, "b/a b.txt"),
            Err(BucketError::NoSuchKey)
        ));
        // A key cannot be a folder, nor go through a file.
        assert!(matches!(
            write(root, "b", b"x"),
            Err(BucketError::InvalidKey(_))
        ));
        assert!(matches!(
            write(root, "a/x", b"x"),
            Err(BucketError::InvalidKey(_))
        ));
    }
}
