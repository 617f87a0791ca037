//! The data directory, private to the user running Baton: it holds every execution's data
//! and the key that signs task tokens (whoever reads it can complete any task).
//!
//! - A new directory is created `0700` (its parents as the umask says).
//! - An existing directory is left as it is (it may be shared on purpose: a user's home,
//!   a directory made by an administrator), with a warning when others may enter it.
//! - The store's files (`baton.db`, and `-wal`, `-shm`, `-journal` beside it) are `0600`:
//!   the database is created so before SQLite opens it, SQLite gives its companions the
//!   database's mode, and files left wider by an earlier version are tightened.

use std::path::Path;

use crate::server::{DATABASE_FILE, ServerError};

/// Creates `dir` if needed and makes the store's files in it private.
pub fn prepare(dir: &Path) -> Result<(), ServerError> {
    let failed = |source| ServerError::DataDir {
        path: dir.display().to_string(),
        source,
    };
    create_private(dir).map_err(failed)?;
    #[cfg(unix)]
    private_files(dir).map_err(failed)?;
    Ok(())
}

#[cfg(unix)]
fn create_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::DirBuilder::new().mode(0o700).create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {
            let mode = std::fs::metadata(dir)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    directory = %dir.display(),
                    mode = format!("{:o}", mode & 0o777),
                    "the data directory is open to other users (its files are not); \
                     chmod 700 it unless it is shared on purpose"
                );
            }
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn create_private(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// The database created `0600` if it is not there; it and its companions tightened to
/// `0600` if they are wider.
#[cfg(unix)]
fn private_files(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let database = dir.join(DATABASE_FILE);
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&database)
    {
        // SQLite takes an empty file for a new database.
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let path = dir.join(format!("{DATABASE_FILE}{suffix}"));
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        let mode = meta.permissions().mode();
        if meta.is_file()
            && mode & 0o077 != 0
            && let Err(e) =
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o700))
        {
            tracing::warn!(
                file = %path.display(),
                error = %e,
                "cannot make the store's file private to its user"
            );
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_directory_is_private_and_wide_files_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b/data");
        prepare(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join(DATABASE_FILE)) & 0o077, 0);

        let wal = dir.join(format!("{DATABASE_FILE}-wal"));
        std::fs::write(&wal, b"").unwrap();
        std::fs::set_permissions(&wal, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(
            dir.join(DATABASE_FILE),
            std::fs::Permissions::from_mode(0o664),
        )
        .unwrap();
        // An existing directory is left as it is.
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        prepare(&dir).unwrap();
        assert_eq!(mode(&dir), 0o755);
        assert_eq!(mode(&wal), 0o600);
        assert_eq!(mode(&dir.join(DATABASE_FILE)), 0o600);
    }
}
