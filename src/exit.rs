//! Exit codes, and the one error that is the user's mistake. A leaf: everything may use it, it uses
//! nothing. Which error gives which code, and with what hint, is `failure.rs`'s.
//!
//! The codes are documented in README.md and in `regsweep --help`; scripts depend on them, so a code's
//! meaning never changes once released.

use std::process::ExitCode;

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
    /// `outdated`: a newer version of at least one image exists.
    Outdated = 11,
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

/// Something that needed the user's agreement did not get it (declined, or no terminal to ask on
/// and no `--yes`): nothing was changed.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct NotAgreed {
    pub message: String,
    pub hint: Option<String>,
}

/// What to do about an error, added by the one who knows (a registry's API source: which token or
/// role a refusal needs); it becomes the error's hint.
#[derive(Debug, thiserror::Error)]
#[error("advice")]
pub struct Advice(pub String);
