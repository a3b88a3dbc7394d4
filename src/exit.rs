//! Exit codes, and the mapping from an error chain to one of them and to its hint.
//!
//! The codes are documented in README.md and in `regsweep --help`; scripts depend on them, so a code's
//! meaning never changes once released.

use std::process::ExitCode;

use crate::cache::CacheError;
use crate::commands::remove::RemovalStop;
use crate::commands::restore::RestoreIncomplete;
use crate::journal::JournalError;
use crate::registry::RegistryError;
use crate::select::SelectError;

/// What a run ends with. The numbers are part of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success = 0,
    Internal = 1,
    Usage = 2,
    Network = 3,
    Auth = 4,
    Registry = 5,
    Cache = 6,
    /// A selected digest is shared with what was not selected.
    Intersection = 7,
    /// The live re-check found the registry changed since the plan was shown; nothing was deleted.
    PlanChanged = 8,
    /// The plan was not confirmed (declined, or no terminal without `--yes`); nothing was deleted.
    NotConfirmed = 9,
    /// Some deletions or restores failed; the others were done.
    PartialFailure = 10,
    /// Ctrl-C during deletion.
    Interrupted = 130,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status as u8)
    }
}

/// A mistake in what the user asked for, as opposed to a failure of the registry or the machine.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UsageError {
    pub message: String,
    pub hint: Option<String>,
}

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

/// The exit status for an error: the first typed error found in its chain decides.
pub fn status_of(err: &anyhow::Error) -> ExitStatus {
    for cause in err.chain() {
        if let Some(err) = cause.downcast_ref::<RegistryError>() {
            return err.exit_status();
        }
        if cause.is::<CacheError>() || cause.is::<JournalError>() {
            return ExitStatus::Cache;
        }
        if let Some(stop) = cause.downcast_ref::<RemovalStop>() {
            return stop.exit_status();
        }
        if cause.is::<RestoreIncomplete>() {
            return ExitStatus::PartialFailure;
        }
        if let Some(err) = cause.downcast_ref::<SelectError>() {
            return match err {
                SelectError::UnknownRepository { .. } => ExitStatus::Usage,
                _ => ExitStatus::Intersection,
            };
        }
        if cause.is::<UsageError>() {
            return ExitStatus::Usage;
        }
    }
    ExitStatus::Internal
}

/// The hint to print under an error, if any part of its chain has one.
pub fn hint_of(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        if let Some(err) = cause.downcast_ref::<RegistryError>() {
            err.hint()
        } else if let Some(err) = cause.downcast_ref::<CacheError>() {
            err.hint()
        } else if let Some(err) = cause.downcast_ref::<SelectError>() {
            Some(err.hint())
        } else if let Some(stop) = cause.downcast_ref::<RemovalStop>() {
            stop.hint()
        } else if let Some(err) = cause.downcast_ref::<JournalError>() {
            err.hint()
        } else if let Some(err) = cause.downcast_ref::<UsageError>() {
            err.hint.clone()
        } else {
            None
        }
    })
}
