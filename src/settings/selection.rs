//! What the query and remove commands select, resolved from their arguments: every selector and
//! age read (and any bad one reported) before the registry is touched, and how a removal was
//! agreed to.

use crate::cli::{
    self, ConfirmArgs, ReferrerArgs, RepoSelectionArgs, RetentionArgs, TagSelectionArgs,
    UntaggedArgs,
};
use crate::exit::UsageError;
use crate::names::{is_repository_name, is_tag};
use crate::select::{
    KeepBy, OrphanQuery, Query, RepoQuery, Retention, SelectorError, TagQuery, TagSelector, Untag,
    UntaggedQuery,
};
use crate::version::VersionReq;

/// `query-repos` and `query-tags`: the selection, and whether to read missing details for an exact
/// reclaimable figure.
#[derive(Debug, Clone)]
pub struct QuerySettings {
    pub query: Query,
    pub details: bool,
}

/// How the user agreed to a removal plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Confirmation {
    pub yes: bool,
    pub dry_run: bool,
    /// `--gc`: the registry's garbage collection after the deletes.
    pub gc: bool,
}

impl Confirmation {
    pub(super) fn resolve(args: ConfirmArgs) -> Self {
        let ConfirmArgs { yes, dry_run, gc } = args;
        Self { yes, dry_run, gc }
    }
}

/// `remove-repos` and `remove-tags`: the selection, and how it was agreed to.
#[derive(Debug, Clone)]
pub struct RemoveSettings {
    pub query: Query,
    pub confirmation: Confirmation,
    /// `--allow-unmatched`: an exclusion matching no tag does not stop a `--yes` run.
    pub allow_unmatched: bool,
}

pub(super) fn repo_query(
    args: RepoSelectionArgs,
    raise_intersecting_repo: bool,
) -> Result<Query, UsageError> {
    let RepoSelectionArgs {
        repo,
        retention: retention_args,
        referrers,
    } = args;
    let repositories = repository_names(repo)?;
    let retention = retention(retention_args)?;
    if let Some(orphans) = orphan_query(&referrers, &repositories, retention.selects())? {
        return Ok(orphans);
    }
    Ok(Query::Repos(RepoQuery {
        repositories,
        raise_intersecting_repo,
        retention,
        keep_referrers: referrers.keep_referrers,
    }))
}

/// `--orphaned-referrers`: a query of its own, which no other selection may narrow.
fn orphan_query(
    referrers: &ReferrerArgs,
    repositories: &[String],
    narrowed: bool,
) -> Result<Option<Query>, UsageError> {
    if !referrers.orphaned_referrers {
        return Ok(None);
    }
    if narrowed {
        return Err(UsageError::with_hint(
            "--orphaned-referrers takes no tag selectors, ages or --keep",
            "it selects every signature, SBOM and attestation whose image is gone in the -r \
             repositories; run it on its own",
        ));
    }
    Ok(Some(Query::Orphans(OrphanQuery {
        repositories: repositories.to_vec(),
    })))
}

/// `query-untagged` / `remove-untagged`.
pub(super) fn untagged_query(args: UntaggedArgs) -> Result<Query, UsageError> {
    let UntaggedArgs {
        repo,
        older_than,
        keep_referrers,
    } = args;
    let now = jiff::Timestamp::now();
    let untagged_before = older_than
        .as_deref()
        .map(parse_age)
        .transpose()?
        .map(|age| now - age);
    Ok(Query::Untagged(UntaggedQuery {
        repositories: repository_names(repo)?,
        untagged_before,
        keep_referrers,
    }))
}

/// The tag selection of `query-tags` / `remove-tags`, every selector read (and any bad one reported)
/// before the registry is touched.
pub(super) fn tag_query(
    command: &str,
    args: TagSelectionArgs,
    raise_intersecting_repo: bool,
) -> Result<Query, UsageError> {
    let TagSelectionArgs {
        repo,
        tags,
        regex,
        exclude,
        exclude_regex,
        no_match_all_tags,
        raise_intersecting_tag,
        untag_only,
        untag_partial,
        retention: retention_args,
        referrers,
    } = args;
    let retention = retention(retention_args)?;
    let selectors = [&tags, &regex, &exclude, &exclude_regex];
    let narrowed = selectors.iter().any(|s| !s.is_empty())
        || retention.selects()
        || untag_only
        || untag_partial;
    if let Some(orphans) = orphan_query(&referrers, &repo, narrowed)? {
        repository_names(repo)?;
        return Ok(orphans);
    }
    if tags.is_empty() && regex.is_empty() && !retention.selects() {
        return Err(UsageError::with_hint(
            format!("{command} needs tags to select"),
            "give -t/--tags (names or version selectors), -re/--regex, or --older-than / --keep / \
             --not-pulled-for / --tagged-before, e.g. -t '<1.4'",
        ));
    }
    let usage = |e: SelectorError| {
        UsageError::with_hint(
            e.0,
            "see `regsweep query-tags --help` for selectors and regular expressions",
        )
    };
    let parse = |values: &[String]| -> Result<Vec<TagSelector>, UsageError> {
        values
            .iter()
            .map(|v| {
                check_selector(v)?;
                TagSelector::parse(v).map_err(usage)
            })
            .collect()
    };
    let regexes = |values: &[String]| -> Result<Vec<TagSelector>, UsageError> {
        values
            .iter()
            .map(|v| TagSelector::regex(v).map_err(usage))
            .collect()
    };
    let mut include = parse(&tags)?;
    include.extend(regexes(&regex)?);
    let mut excluded = parse(&exclude)?;
    excluded.extend(regexes(&exclude_regex)?);
    Ok(Query::Tags(TagQuery {
        repositories: repository_names(repo)?,
        include,
        exclude: excluded,
        match_all_tags: !no_match_all_tags,
        raise_intersecting_repo,
        raise_intersecting_tag,
        retention,
        keep_referrers: referrers.keep_referrers,
        untag: match (untag_only, untag_partial) {
            (true, _) => Untag::Only,
            (false, true) => Untag::Partial,
            (false, false) => Untag::Never,
        },
    }))
}

/// A `-t`/`-x` value must be printable, and an exact one a tag that could exist: anything else
/// matches nothing, which is never what was meant.
fn check_selector(value: &str) -> Result<(), UsageError> {
    if value.chars().any(char::is_control) {
        return Err(UsageError::with_hint(
            format!("invalid selector {value:?}: it holds a control character"),
            "a selector is a tag name or a version comparison such as '<1.4'",
        ));
    }
    let exact = !VersionReq::is_requirement(value);
    if exact && !value.is_empty() && !is_tag(value) {
        return Err(UsageError::with_hint(
            format!("invalid tag {value:?}"),
            "tags are letters, digits, _ . and -, up to 128 characters, not starting with . or -; \
             use -re for patterns",
        ));
    }
    Ok(())
}

/// `--older-than`, `--newer-than`, `--keep`, `--keep-by`, measured from now.
fn retention(args: RetentionArgs) -> Result<Retention, UsageError> {
    let RetentionArgs {
        older_than,
        newer_than,
        keep,
        keep_by,
        tagged_before,
        not_pulled_for,
    } = args;
    Ok(Retention {
        tagged_before: tagged_before.as_deref().map(parse_date).transpose()?,
        not_pulled_for: not_pulled_for.as_deref().map(parse_age).transpose()?,
        older_than: older_than.as_deref().map(parse_age).transpose()?,
        newer_than: newer_than.as_deref().map(parse_age).transpose()?,
        keep: keep.map(|k| k as usize),
        keep_by: match keep_by {
            cli::KeepBy::Created => KeepBy::Created,
            cli::KeepBy::Version => KeepBy::Version,
        },
        now: jiff::Timestamp::now(),
    })
}

/// An age such as `30d`, `12h`, `2w`, `1w 3d` (days and weeks counting 24 hours).
pub fn parse_age(text: &str) -> Result<jiff::SignedDuration, UsageError> {
    let invalid = || {
        UsageError::with_hint(
            format!("invalid age {text:?}"),
            "write a number and a unit: 30d, 12h, 2w, 90m",
        )
    };
    crate::select::parse_age(text).ok_or_else(invalid)
}

/// A date (`2026-01-31`, midnight UTC) or a time (`2026-01-31T12:00:00Z`).
fn parse_date(text: &str) -> Result<jiff::Timestamp, UsageError> {
    let text = text.trim();
    let parsed = text.parse::<jiff::Timestamp>().ok().or_else(|| {
        let date: jiff::civil::Date = text.parse().ok()?;
        jiff::tz::TimeZone::UTC.to_timestamp(date.into()).ok()
    });
    parsed.ok_or_else(|| {
        UsageError::with_hint(
            format!("invalid date {text:?}"),
            "write a date or a time in UTC: 2026-01-31 or 2026-01-31T12:00:00Z",
        )
    })
}

/// Repository names given by the user, each checked against the distribution spec's grammar.
pub(super) fn repository_names(names: Vec<String>) -> Result<Vec<String>, UsageError> {
    if let Some(bad) = names.iter().find(|n| !is_repository_name(n)) {
        return Err(UsageError::with_hint(
            format!("invalid repository name {bad:?}"),
            "repository names are lower-case letters, digits and . _ - separated by /, e.g. team-a/web",
        ));
    }
    Ok(names)
}
