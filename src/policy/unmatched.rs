//! A policy's protections that protect nothing: a `protect.tags` pattern, a keep rule's tags or a
//! delete rule's exclusions matching no tag where the rule applies, or a keep rule whose
//! repositories match none. Usually a typo (`1.3.9` where the tag is `v1.3.9`), and the tags it was
//! meant for are then deleted: `policy plan` shows each, `policy apply` warns.
//!
//! Protected image references are not checked: reference files name images of many registries,
//! and one of another registry matching nothing here is no mistake.

use super::{Action, Policy, Target};
use crate::inventory::{Inventory, is_attachment_tag};
use crate::select::{TagSelector, Unmatched, repositories_in_words, suggest};

impl Policy {
    /// Every protecting pattern that matches nothing in `inventory`.
    pub fn unmatched(&self, inventory: &Inventory) -> Vec<Unmatched> {
        let every: Vec<String> = inventory.repositories.keys().cloned().collect();
        let every_tag = tags_of(inventory, &every);
        let protect_key = keys("protect.tags");
        let mut found: Vec<Unmatched> = self
            .protect
            .tags
            .iter()
            .flat_map(|selector| {
                let key = protect_key(selector);
                check(
                    std::slice::from_ref(selector),
                    ("", key),
                    &every_tag,
                    "the registry",
                )
            })
            .collect();
        for rule in self.rules.iter().filter(|r| r.target == Target::Tags) {
            let repos: Vec<String> = every
                .iter()
                .filter(|repo| rule.repositories.matches(repo))
                .cloned()
                .collect();
            let label = format!("rule {:?} (line {}): ", rule.name, rule.line);
            if rule.action == Action::Keep && repos.is_empty() {
                found.push(Unmatched {
                    selector: format!("{label}repositories {}", rule.repositories),
                    protective: true,
                    names: "repository",
                    scope: "the registry".to_owned(),
                    hint: None,
                });
                continue;
            }
            let (selectors, key) = match rule.action {
                Action::Keep => (&rule.include, keys("tags")),
                Action::Delete => (&rule.exclude, keys("exclude")),
            };
            let tags = tags_of(inventory, &repos);
            let scope = repositories_in_words(&repos);
            for selector in selectors {
                found.extend(check(
                    std::slice::from_ref(selector),
                    (&label, key(selector)),
                    &tags,
                    &scope,
                ));
            }
        }
        found
    }
}

/// The key a selector was written under: `tags` or `tags_regex`, `exclude` or `exclude_regex`,
/// `protect.tags` or `protect.tags_regex`.
fn keys(base: &'static str) -> impl Fn(&TagSelector) -> &'static str {
    move |selector| match (selector, base) {
        (TagSelector::Regex { .. }, "tags") => "tags_regex",
        (TagSelector::Regex { .. }, "protect.tags") => "protect.tags_regex",
        (TagSelector::Regex { .. }, _) => "exclude_regex",
        (_, base) => base,
    }
}

fn tags_of<'a>(inventory: &'a Inventory, repos: &[String]) -> Vec<&'a str> {
    repos
        .iter()
        .filter_map(|repo| inventory.repositories.get(repo))
        .flat_map(|r| r.tags.keys().map(String::as_str))
        .filter(|tag| !is_attachment_tag(tag))
        .collect()
}

/// `label` says which rule, `key` which of its keys.
fn check(
    selectors: &[TagSelector],
    (label, key): (&str, &str),
    tags: &[&str],
    scope: &str,
) -> Vec<Unmatched> {
    selectors
        .iter()
        .filter_map(|selector| {
            let hint = suggest(selector, tags, key)?;
            let value = match selector {
                TagSelector::Regex { pattern, .. } => pattern.clone(),
                other => other.to_string(),
            };
            Some(Unmatched {
                selector: format!("{label}{key} {value:?}"),
                protective: true,
                names: "tag",
                scope: scope.to_owned(),
                hint,
            })
        })
        .collect()
}
