//! `regsweep policy`: its subcommands, and the policy file's keys as `policy --help` shows them.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::ConfirmArgs;

/// The policy file's keys, for `regsweep policy --help`.
pub const POLICY_HELP: &str = "\
The policy file (regsweep.toml, or --policy FILE; `regsweep policy init` writes a commented example):

  version = 1            the file format; required
  min_keep = N           every repository keeps at least N tagged images (its newest), whatever the
                         rules say
  keep_referrers = bool  leave deleted images' signatures, SBOMs and attestations (default false)

  [protect]              nothing here is deleted, nor any image it points to, in any repository
  tags = [..]            exact tags or version ranges ('>=2.0', '^1.4', '1.*'), in every repository
  tags_regex = [..]      regular expressions, matched from the start of the tag
  images = [..]          image references: REPO:TAG, HOST/REPO:TAG or REPO@DIGEST (hosts are not
                         compared; a reference without a tag means :latest)
  references = [..]      files of references (one per line) or Kubernetes/compose YAML (their image:
                         values), relative to the policy file; a templated value is an error

  [[rule]]               rules are evaluated per repository, in file order
  name = \"..\"            required, unique; reports and --explain name it
  action = \"delete\"      or \"keep\": a keep rule keeps what it selects; keeping always wins
  repositories = [..]    globs: * within a path component, ** across (\"**\" is every repository)
  repositories_regex     regular expressions matching whole repository names
  tags, tags_regex       which tags the rule selects (every tag when neither is given)
  exclude, exclude_regex  tags it never selects
  older_than = \"30d\"     only tags older than this (units: m, h, d, w)
  newer_than = \"7d\"      only tags newer than this
  age_by = \"created\"     an age counts from the image's created time, or \"tagged\": from when
                         regsweep first saw the tag point to its digest
  not_pulled_for = \"8w\"  only images not pulled (or, never seen pulled, not tagged) for this long;
                         pulls are known from the registry's notifications to `regsweep serve`
  keep_n = N             keep the N newest images of each group: in a delete rule ranked among every
                         tag the rule names, whatever its age; in a keep rule among those its ages
                         select. Images that cannot be ranked (no created time, no version) stay
  keep_by = \"created\"    rank by created time, or \"version\" (the highest version among its tags)
  group_by = [..]        rank within groups: \"major\", \"major.minor\", \"variant\" (-alpine)
  group_by_regex = \"..\"  or within the captures of a pattern
  untagged = true        the rule deletes untagged manifests (with older_than: untagged that long)
  orphaned_referrers     the rule deletes signatures and SBOMs whose image is gone

Protection always wins: a digest any protected or kept tag points to is deleted by no rule in no
repository, nor the children of such an index; an image is deleted only when every tag of it, in
every repository, is deleted; unknown ages never delete. Unknown keys, bad patterns and
contradictory rules are errors naming the file, line and key (exit code 2).

Examples:
  regsweep policy init
  regsweep -reg registry.example.com policy plan
  regsweep -reg registry.example.com policy plan --explain app:1.4
  regsweep -reg registry.example.com policy plan --out plan.json --format json > report.json
  regsweep -reg registry.example.com policy apply --plan-file plan.json --yes
  regsweep -reg registry.example.com policy apply --max-delete 200 --yes";

#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub action: PolicyAction,
}

/// Where the policy is read from.
#[derive(Debug, Args)]
pub struct PolicyFileArgs {
    /// The policy file.
    ///
    /// Example: `--policy /etc/regsweep/policy.toml`.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "regsweep.toml",
        env = "REGSWEEP_POLICY"
    )]
    pub policy: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Write a commented example policy to start from.
    #[command(after_help = "Example:\n  regsweep policy init --policy /etc/regsweep/policy.toml")]
    Init {
        #[command(flatten)]
        file: PolicyFileArgs,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Show the whole registry's plan from the cache: per repository what each rule selects, what
    /// protection keeps and why, what it frees.
    #[command(after_help = "\
The table lists every tag a rule or protection decided (delete, kept, protected, or held: selected
but its image stays); --format json is the full report, with every decision, the plan and the
reclaimable space. --format template fields: repository, tag, digest, fate, rule, reason.

Examples:
  regsweep -reg registry.example.com policy plan
  regsweep -reg registry.example.com policy plan --explain app:1.4
  regsweep -reg registry.example.com policy plan --out plan.json")]
    Plan {
        #[command(flatten)]
        file: PolicyFileArgs,
        /// Say for one tag (REPO:TAG, or TAG in every repository) what each rule says of it and
        /// which one decided its fate.
        ///
        /// Example: `--explain app:1.4`.
        #[arg(long, value_name = "TAG")]
        explain: Option<String>,
        /// Save the plan to FILE for `policy apply --plan-file`.
        ///
        /// Example: `--out plan.json`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Delete what the policy's plan deletes: the same plan, confirmed, re-checked live, journaled.
    #[command(after_help = "\
With --plan-file, the saved plan's policy and time are used, and a registry that no longer gives
exactly that plan is refused (exit code 8), so what was reviewed is what runs. --max-delete refuses
a larger plan (exit code 9). The report at the end (--format json for machines) lists what was
deleted, kept and failed.

Examples:
  regsweep -reg registry.example.com policy apply --dry-run
  regsweep -reg registry.example.com policy apply --plan-file plan.json --yes
  regsweep -reg registry.example.com policy apply --max-delete 200 --yes")]
    Apply {
        #[command(flatten)]
        file: PolicyFileArgs,
        /// Apply the plan saved by `policy plan --out FILE`, refusing if the registry drifted.
        ///
        /// Example: `--plan-file plan.json`.
        #[arg(long, value_name = "FILE")]
        plan_file: Option<PathBuf>,
        /// Refuse a plan deleting more than N manifests.
        ///
        /// Example: `--max-delete 200`.
        #[arg(long, value_name = "N")]
        max_delete: Option<usize>,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
}
