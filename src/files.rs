//! Private files written atomically: what the cache and the journal both need.

use std::fs::{self, File};
use std::io::{self, Write as _};
use std::path::Path;

/// Writes `path` through a temporary file (mode 0600) in the same directory that is flushed to disk
/// and then renamed over it: readers see the old content or the new, never a mix, and a failure
/// leaves the old file as it was.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<&mut File>) -> io::Result<()>,
) -> io::Result<()> {
    stage(path, write)?.commit()
}

/// A file written and synced beside its destination, not yet in place.
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: std::path::PathBuf,
}

impl Staged {
    /// The staged file's metadata (its length and modification time survive the rename).
    pub fn metadata(&self) -> io::Result<fs::Metadata> {
        self.tmp.as_file().metadata()
    }

    /// Renames the staged file into place and syncs the directory, so the rename is durable.
    pub fn commit(self) -> io::Result<()> {
        let dir = parent(&self.path).to_owned();
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// Writes and syncs what will become `path`, without putting it in place yet (see `Staged`).
pub fn stage(
    path: &Path,
    write: impl FnOnce(&mut io::BufWriter<&mut File>) -> io::Result<()>,
) -> io::Result<Staged> {
    let dir = parent(path);
    create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".regsweep-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    set_private(tmp.as_file())?;
    {
        let mut writer = io::BufWriter::new(tmp.as_file_mut());
        write(&mut writer)?;
        writer.flush()?;
    }
    tmp.as_file().sync_all()?;
    Ok(Staged {
        tmp,
        path: path.to_owned(),
    })
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// Creates a directory (and its parents) readable by the user alone.
#[cfg(unix)]
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn set_private(file: &File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn set_private(_file: &File) -> io::Result<()> {
    Ok(())
}
