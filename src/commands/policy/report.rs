//! What `policy plan` shows and saves: each decided tag with its rule and reason (table, plain, or the
//! JSON report reviewers and machines read), one tag's explanation, and the plan file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Context;
use crate::commands::query::note_reclaim;
use crate::exit::{ExitStatus, UsageError};
use crate::inventory::Inventory;
use crate::output::{Rows, Tone, human_bytes, short_digest};
use crate::policy::{Decided, Decision, Evaluation, Fate, Policy, Verdict};
use crate::registry::RegistryAddress;
use crate::select::{Plan, Reclaim, Unmatched};
use crate::version::natural_cmp;

/// The plan file's format version.
const PLAN_FORMAT: u32 = 1;

/// How many tags each fate has, and what the plan deletes.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub delete: usize,
    pub held: usize,
    pub kept: usize,
    pub protected: usize,
    pub untouched: usize,
    pub manifests: usize,
}

impl Summary {
    pub fn of(evaluation: &Evaluation) -> Self {
        let mut summary = Self {
            manifests: evaluation.plan.manifest_count(),
            ..Self::default()
        };
        for d in evaluation.decisions() {
            *match d.fate {
                Fate::Delete => &mut summary.delete,
                Fate::Held => &mut summary.held,
                Fate::Kept => &mut summary.kept,
                Fate::Protected => &mut summary.protected,
                Fate::Untouched => &mut summary.untouched,
            } += 1;
        }
        summary.held += evaluation.held_untagged().count();
        summary
    }

    pub fn note(&self, ctx: &Context) {
        ctx.printer.note(&format!(
            "policy: {} tags deleted ({} manifests), {} kept, {} protected, {} held back, {} \
             untouched",
            self.delete, self.manifests, self.kept, self.protected, self.held, self.untouched
        ));
    }
}

/// One repository's part of the plan.
#[derive(Serialize)]
struct RepositoryReport<'a> {
    delete: Vec<&'a str>,
    held: Vec<&'a str>,
    kept: Vec<&'a str>,
    protected: Vec<&'a str>,
    /// Bytes only its deletions store (after the registry's garbage collection).
    frees_bytes: u64,
}

/// Each repository's part of the plan, by name: made from the sorted decisions (each repository's
/// a run) while it is written, one repository at a time, and only when JSON is asked for.
struct ByRepository<'a> {
    rows: &'a [Row<'a>],
    frees: &'a BTreeMap<String, u64>,
}

impl Serialize for ByRepository<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut map = serializer.serialize_map(None)?;
        let runs = self.rows.chunk_by(|a, b| a.repository() == b.repository());
        for run in runs {
            let repo = run[0].repository();
            let mut report = RepositoryReport {
                delete: Vec::new(),
                held: Vec::new(),
                kept: Vec::new(),
                protected: Vec::new(),
                frees_bytes: self.frees.get(repo).copied().unwrap_or(0),
            };
            for row in run {
                let d = row.decided.decision();
                let list = match d.fate {
                    Fate::Delete => &mut report.delete,
                    Fate::Held => &mut report.held,
                    Fate::Kept => &mut report.kept,
                    Fate::Protected | Fate::Untouched => &mut report.protected,
                };
                list.push(d.tag);
            }
            map.serialize_entry(repo, &report)?;
        }
        map.end()
    }
}

/// `policy plan --format json`.
#[derive(Serialize)]
struct PlanReport<'a> {
    policy: &'a Path,
    registry: String,
    evaluated_at: Timestamp,
    summary: Summary,
    reclaimable: &'a Reclaim,
    repositories: ByRepository<'a>,
    /// Every tag a rule or protection decided, with the rule and why.
    decisions: &'a [Row<'a>],
    /// Protecting patterns that match nothing: they protect nothing.
    unmatched_protections: Vec<Unmatched>,
    plan: &'a Plan,
}

struct Listing<'a> {
    rows: &'a [Row<'a>],
    json: PlanReport<'a>,
}

/// A decision as a listed row (written as its `Decision`). A table names the repository, and the
/// rule of a run of one fate, once: whether this row repeats the row above's.
struct Row<'a> {
    decided: Decided<'a>,
    same_repository: bool,
    same_rule: bool,
}

impl<'a> Row<'a> {
    fn repository(&self) -> &'a str {
        self.decided.decision().repository
    }
}

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.decided.decision().serialize(serializer)
    }
}

/// Marks each row that repeats the row above's repository, and its rule for the same fate.
fn mark_repeats(rows: &mut [Row]) {
    for i in 1..rows.len() {
        let (above, row) = (rows[i - 1].decided.decision(), rows[i].decided.decision());
        let same_repository = above.repository == row.repository;
        rows[i].same_repository = same_repository;
        rows[i].same_rule = same_repository && above.fate == row.fate && above.rule == row.rule;
    }
}

impl Listing<'_> {
    fn full_cells(d: &Decision) -> Vec<String> {
        let digest = short_digest(d.digest);
        cells_of(d, &digest).map(str::to_owned).to_vec()
    }
}

/// A row's cells as text: repository, tag, the digest shortened (`digest`), fate, rule, why.
fn cells_of<'d>(d: &Decision<'d>, digest: &'d str) -> [&'d str; 6] {
    [
        d.repository,
        untagged_or(d.tag),
        digest,
        d.fate.label(),
        d.rule.unwrap_or_default(),
        d.reason,
    ]
}

/// A tag, or what a row without one shows.
fn untagged_or(tag: &str) -> &str {
    if tag.is_empty() { "(untagged)" } else { tag }
}

impl<'a> Rows for Listing<'a> {
    type Row = Row<'a>;

    fn rows(&self) -> &[Row<'a>] {
        self.rows
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["REPOSITORY", "TAG", "DIGEST", "FATE", "RULE", "WHY"]
    }

    /// A table names the repository, and the rule of a run of one fate, once.
    fn cells(&self, row: &Row<'a>) -> Vec<String> {
        let mut cells = Self::full_cells(&row.decided.decision());
        if row.same_repository {
            cells[0].clear();
        }
        if row.same_rule {
            cells[4].clear();
        }
        cells
    }

    /// A line for scripts is whole: the cells joined, as one string (a million-tag plan is a
    /// million lines).
    fn plain(&self, row: &Row<'a>) -> String {
        let d = row.decided.decision();
        let digest = short_digest(d.digest);
        cells_of(&d, &digest).join("  ")
    }

    fn footer(&self) -> Vec<String> {
        self.json
            .unmatched_protections
            .iter()
            .map(|u| format!("protects nothing: {}", u.describe()))
            .collect()
    }

    fn tone(&self, row: &Row<'a>) -> Tone {
        match row.decided.decision().fate {
            Fate::Delete => Tone::Delete,
            Fate::Held => Tone::Change,
            Fate::Kept | Fate::Protected => Tone::Keep,
            Fate::Untouched => Tone::Plain,
        }
    }

    fn write_json(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &self.json)?;
        writeln!(out)
    }
}

/// Shows the plan: every decided tag (deleted first, then held, kept, protected), the summary and
/// what it frees, in the whole registry and in each repository.
pub fn show_plan_report(
    ctx: &Context,
    policy: &Policy,
    inventory: &Inventory,
    evaluation: &Evaluation,
    (reclaim, frees): &(Reclaim, BTreeMap<String, u64>),
) -> anyhow::Result<()> {
    // Before the rows are made: it lists every tag again.
    let unmatched_protections = policy.unmatched(inventory);
    // Sized once: a million rows grown by doubling copied themselves twenty times.
    let mut rows: Vec<Row> = Vec::with_capacity(evaluation.decided_count());
    rows.extend(
        evaluation
            .decided()
            .filter(|d| d.decision().fate != Fate::Untouched)
            .map(|decided| Row {
                decided,
                same_repository: false,
                same_rule: false,
            }),
    );
    // By repository (in name order, as JSON's `repositories` lists them), then fate, then tag;
    // tags that compare as equal versions by their text, untagged manifests by digest: an order
    // without ties, sorted in place (a stable sort's scratch room is 44 MB at a million rows).
    rows.sort_unstable_by(|a, b| {
        let (a, b) = (a.decided.decision(), b.decided.decision());
        (a.repository, fate_order(a.fate))
            .cmp(&(b.repository, fate_order(b.fate)))
            .then_with(|| natural_cmp(a.tag, b.tag))
            .then_with(|| (a.tag, a.digest).cmp(&(b.tag, b.digest)))
    });
    mark_repeats(&mut rows);
    let summary = Summary::of(evaluation);
    summary.note(ctx);
    if let Some(line) = frees_line(frees) {
        ctx.printer.note(&line);
    }
    ctx.printer.rows(&Listing {
        rows: &rows,
        json: PlanReport {
            policy: &policy.path,
            registry: ctx.registry()?.to_string(),
            evaluated_at: evaluation.now,
            summary,
            reclaimable: reclaim,
            repositories: ByRepository { rows: &rows, frees },
            decisions: &rows,
            unmatched_protections,
            plan: &evaluation.plan,
        },
    })?;
    note_reclaim(&ctx.printer, reclaim);
    Ok(())
}

/// What the plan frees by repository, as one line: the total, and the largest few.
fn frees_line(frees: &BTreeMap<String, u64>) -> Option<String> {
    let mut freeing: Vec<(&String, u64)> = frees
        .iter()
        .filter(|(_, b)| **b > 0)
        .map(|(r, b)| (r, *b))
        .collect();
    if freeing.is_empty() {
        return None;
    }
    freeing.sort_by_key(|(r, b)| (std::cmp::Reverse(*b), *r));
    let total: u64 = freeing.iter().map(|(_, b)| b).sum();
    let largest: Vec<String> = freeing
        .iter()
        .take(3)
        .map(|(r, b)| format!("{r} {}", human_bytes(*b)))
        .collect();
    let more = match freeing.len() {
        n if n > 3 => format!(", {} more", n - 3),
        _ => String::new(),
    };
    Some(format!(
        "frees {} in {} ({}{more})",
        human_bytes(total),
        crate::output::plural_count(freeing.len(), "repository", "repositories"),
        largest.join(", ")
    ))
}

fn fate_order(fate: Fate) -> u8 {
    match fate {
        Fate::Delete => 0,
        Fate::Held => 1,
        Fate::Kept => 2,
        Fate::Protected => 3,
        Fate::Untouched => 4,
    }
}

/// What an applied policy kept, protected and held back, for the final report.
pub fn kept_json(evaluation: &Evaluation) -> anyhow::Result<serde_json::Value> {
    let kept: Vec<Decision> = evaluation
        .decisions()
        .chain(evaluation.held_untagged())
        .filter(|d| !matches!(d.fate, Fate::Delete | Fate::Untouched))
        .collect();
    Ok(serde_json::to_value(kept)?)
}

/// One explained line: a rule and what it says of the tag.
#[derive(Serialize)]
struct Explained {
    repository: String,
    tag: String,
    rule: String,
    line: usize,
    verdict: String,
}

struct Explanation(Vec<Explained>);

impl Rows for Explanation {
    type Row = Explained;

    fn rows(&self) -> &[Explained] {
        &self.0
    }

    fn header(&self) -> Vec<&'static str> {
        vec!["REPOSITORY", "TAG", "RULE", "LINE", "SAYS"]
    }

    fn cells(&self, e: &Explained) -> Vec<String> {
        vec![
            e.repository.clone(),
            e.tag.clone(),
            e.rule.clone(),
            e.line.to_string(),
            e.verdict.clone(),
        ]
    }

    fn plain(&self, e: &Explained) -> String {
        self.cells(e).join("  ")
    }
}

/// `--explain`: for the tag in one repository (or every repository holding it), each rule's verdict
/// and, first, the fate the whole policy gives it.
pub fn explain(
    ctx: &Context,
    policy: &Policy,
    inventory: &Inventory,
    now: Timestamp,
    repo: Option<&str>,
    tag: &str,
) -> anyhow::Result<ExitStatus> {
    let evaluation = policy.evaluate(inventory, now)?;
    let decisions: Vec<Decision> = evaluation
        .decisions()
        .filter(|d| d.tag == tag && repo.is_none_or(|r| d.repository == r))
        .collect();
    if decisions.is_empty() {
        return Err(UsageError::with_hint(
            format!(
                "no tag {tag:?} in {}",
                repo.map_or("any repository".to_owned(), |r| r.to_owned())
            ),
            "`regsweep list-tag-names REPO` lists the tags the cache knows; add --refresh if it is new",
        )
        .into());
    }
    let mut lines = Vec::new();
    for d in decisions {
        lines.push(Explained {
            repository: d.repository.to_string(),
            tag: d.tag.to_string(),
            rule: d.rule.unwrap_or("(policy)").to_owned(),
            line: policy
                .rules
                .iter()
                .find(|r| Some(r.name.as_str()) == d.rule)
                .map_or(0, |r| r.line),
            verdict: format!("{}: {}", d.fate.label().to_uppercase(), d.reason),
        });
        for (rule, verdict) in policy.explain(inventory, now, d.repository, tag) {
            let says = match verdict {
                Verdict::Selects(why) => format!("selects it: {why}"),
                Verdict::Ranked { rank, group } => {
                    let group = if group.is_empty() {
                        String::new()
                    } else {
                        format!(" in group {group}")
                    };
                    format!("keeps it: its image ranks {rank}{group}")
                }
                Verdict::Misses(why) => format!("does not select it: {why}"),
            };
            lines.push(Explained {
                repository: d.repository.to_string(),
                tag: d.tag.to_string(),
                rule: rule.name.clone(),
                line: rule.line,
                verdict: says,
            });
        }
    }
    ctx.printer.rows(&Explanation(lines))?;
    Ok(ExitStatus::Success)
}

/// A saved plan: the policy's text and the time its ages were measured from, so that applying it
/// re-makes exactly this plan or refuses.
#[derive(Debug, Serialize, Deserialize)]
pub struct PlanFile {
    pub format: u32,
    pub registry: String,
    pub made_at: Timestamp,
    pub now: Timestamp,
    /// Where the policy was read from: its reference files are read again from beside it.
    pub policy_path: PathBuf,
    pub policy: String,
    pub plan: Plan,
}

impl PlanFile {
    pub fn new(
        registry: &RegistryAddress,
        policy: &Policy,
        evaluation: &Evaluation,
    ) -> anyhow::Result<Self> {
        let policy_path = std::path::absolute(&policy.path).unwrap_or_else(|_| policy.path.clone());
        Ok(Self {
            format: PLAN_FORMAT,
            registry: registry.to_string(),
            made_at: Timestamp::now(),
            now: evaluation.now,
            policy_path,
            policy: policy.text.clone(),
            plan: evaluation.plan.clone(),
        })
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        crate::files::write_atomically(path, |out| {
            serde_json::to_writer_pretty(&mut *out, self)?;
            std::io::Write::write_all(out, b"\n")
        })
        .map_err(|e| UsageError::new(format!("cannot write {}: {e}", path.display())))?;
        Ok(())
    }

    /// Reads a plan file made for `registry`.
    pub fn read(path: &Path, registry: &RegistryAddress) -> anyhow::Result<Self> {
        let text = crate::policy::read_text(path)?;
        let file: Self = serde_json::from_str(&text).map_err(|e| {
            UsageError::with_hint(
                format!("{} is not a plan file: {e}", path.display()),
                "`regsweep policy plan --out FILE` writes one",
            )
        })?;
        if file.format != PLAN_FORMAT {
            return Err(UsageError::new(format!(
                "{} is a plan file of format {}; this regsweep reads format {PLAN_FORMAT}",
                path.display(),
                file.format
            ))
            .into());
        }
        if file.registry != registry.to_string() {
            return Err(UsageError::with_hint(
                format!(
                    "{} was made for {}, not {registry}",
                    path.display(),
                    file.registry
                ),
                "apply it with the registry it was made for (-reg)",
            )
            .into());
        }
        Ok(file)
    }
}
