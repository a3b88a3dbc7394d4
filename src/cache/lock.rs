//! The lock beside the cache file: shared for readers, exclusive for writers, waited for with a notice
//! after a moment, naming the holder's PID when the lock file tells a live one.

use std::fs::{self, File, OpenOptions};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{CacheError, CacheFile};
use crate::files::create_private_dir;

/// How long a lock is waited for silently.
const QUIET_WAIT: Duration = Duration::from_secs(1);

impl CacheFile {
    /// Opens (creating) the lock file; the caller takes a shared or exclusive lock on it.
    pub(super) fn lock_file(&self) -> Result<File, CacheError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(self.io_error("create the directory of"))?;
        }
        OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(self.lock_path())
            .map_err(self.io_error("lock"))
    }

    /// Takes the lock, shared or exclusive. Another process holding it is waited for; after a moment
    /// the notice says so, with the holder's PID when the lock file names a live one.
    pub(super) fn lock(&self, exclusive: bool) -> Result<File, CacheError> {
        let mut file = self.lock_file()?;
        let try_lock = |f: &File| {
            if exclusive {
                f.try_lock()
            } else {
                f.try_lock_shared()
            }
        };
        let started = Instant::now();
        let mut told = false;
        loop {
            match try_lock(&file) {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(e)) => return Err(self.io_error("lock")(e)),
            }
            if !told && started.elapsed() >= QUIET_WAIT {
                told = true;
                if let Some(notice) = &self.notice {
                    notice(&holder_message(&mut file));
                }
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        if exclusive {
            // The holder's PID, for whoever waits next. Best effort: the lock works without it.
            let _ = file
                .set_len(0)
                .and_then(|()| file.rewind())
                .and_then(|()| writeln!(file, "{}", std::process::id()));
        }
        Ok(file)
    }
}

/// Who holds the lock, as far as the lock file tells: the PID its last exclusive holder wrote, if
/// that process is still alive.
fn holder_message(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    let pid = text.trim().parse::<u32>().ok().filter(|pid| is_alive(*pid));
    match pid {
        Some(pid) => format!("waiting for the cache lock held by another regsweep (PID {pid})"),
        None => "waiting for the cache lock held by another regsweep".to_owned(),
    }
}

#[cfg(target_os = "linux")]
fn is_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn is_alive(_pid: u32) -> bool {
    true
}
