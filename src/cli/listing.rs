//! The listing commands' arguments: list-repo-names, list-tag-names, usage, outdated.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

#[derive(Debug, Args)]
pub struct ListRepoNamesArgs {
    /// Only repositories whose name matches this regex.
    ///
    /// Only list repositories whose name matches this regular expression (searched anywhere in the
    /// name; anchor with `^` and `$`).
    ///
    /// Example: `'^team-a/'`.
    #[arg(value_name = "PATTERN")]
    pub pattern: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListTagNamesArgs {
    /// Repositories to list; all of them when none is given.
    ///
    /// Example: `app worker`.
    #[arg(value_name = "REPO")]
    pub repo: Vec<String>,

    /// Also list signatures', SBOMs' and attestations' tags.
    ///
    /// Also list the tags of signatures, SBOMs and attestations (`sha256-<hex>.sig`, `.att`,
    /// `.sbom`, and the referrers tag schema's `sha256-<hex>`), which are otherwise shown only as
    /// counts beside their image with --long.
    ///
    /// Example: `list-tag-names app --all-tags`.
    #[arg(long)]
    pub all_tags: bool,

    /// List each repository's tags newest version first.
    ///
    /// Example: `list-tag-names app --reverse-sort | head`.
    #[arg(long)]
    pub reverse_sort: bool,

    /// Print full image names, `REGISTRY/REPO:TAG`.
    ///
    /// Example: `list-tag-names app --image-names` prints `registry.example.com/app:1.0`.
    #[arg(long)]
    pub image_names: bool,

    /// Also show digest, size, age and platforms.
    ///
    /// Also show each image's digest, size, created time, age and platforms (read once per digest
    /// and cached).
    ///
    /// Example: `list-tag-names app --long`.
    #[arg(long)]
    pub long: bool,

    /// Order of the tags: version, name, size, created.
    ///
    /// By version within each repository (the default), by name, or across all
    /// repositories by size (largest first) or created time (newest first).
    ///
    /// Example: `list-tag-names --long --sort size | head`.
    #[arg(long, value_enum, default_value_t = TagSort::Version, hide_possible_values = true)]
    pub sort: TagSort,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TagSort {
    Name,
    Version,
    Size,
    Created,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// Repositories to report on; all of them when none is given.
    ///
    /// Example: `usage app worker`.
    #[arg(value_name = "REPO")]
    pub repo: Vec<String>,

    /// Order of the repositories: size, name, tags.
    ///
    /// By size (largest first), name, or number of tags.
    ///
    /// Example: `usage --sort tags`.
    #[arg(long, value_enum, default_value_t = UsageSort::Size, hide_possible_values = true)]
    pub sort: UsageSort,

    /// Also list every tag with its image size.
    ///
    /// Example: `usage app --tags`.
    #[arg(long)]
    pub tags: bool,
}

#[derive(Debug, Args)]
pub struct OutdatedArgs {
    /// Image references, `REPO:TAG` or `HOST/REPO:TAG`.
    ///
    /// Example: `app:1.4 registry.example.com/web:2.1-alpine`.
    #[arg(value_name = "IMAGE", required_unless_present = "from")]
    pub images: Vec<String>,

    /// Also read references from a file (`-`: stdin).
    ///
    /// One per line, or the `image:`
    /// values of a Docker Compose or Kubernetes YAML file. Lines starting with `#` are skipped.
    ///
    /// Example: `--from docker-compose.yml`.
    #[arg(long, value_name = "FILE")]
    pub from: Vec<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UsageSort {
    Size,
    Name,
    Tags,
}
