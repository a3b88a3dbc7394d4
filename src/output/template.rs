//! `--format '{{repository}}:{{tag}} {{digest}}'`: one line per row, its fields those of the row's
//! JSON object.
//!
//! Written here rather than taken from a template crate: the syntax is substitution only (fields,
//! nested with dots, `{{.}}` for the whole row; Go's leading dot accepted, as docker and regctl users
//! write it), which a few dozen lines do, and no template crate is among this project's dependencies.
//! Values come from registries, so each is escaped before it reaches the terminal; the template's
//! own text is the user's, and `\t` and `\n` in it mean a tab and a line break.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use super::escape;

/// A template that could not be read, or a field a row does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("invalid --format template: {0}")]
    Syntax(String),
    #[error(
        "--format template: no field {field:?} in this command's output; its fields are {known}"
    )]
    UnknownField { field: String, known: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    /// A field path: `repository`, `plan.manifests`; empty for the whole row.
    Field(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for Template {
    type Err = TemplateError;

    fn from_str(text: &str) -> Result<Self, TemplateError> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                parts.push(Part::Text(unescape(&rest[..open])));
            }
            let after = &rest[open + 2..];
            let close = after.find("}}").ok_or_else(|| {
                TemplateError::Syntax(format!(
                    "{{{{ at byte {} is never closed",
                    text.len() - rest.len() + open
                ))
            })?;
            parts.push(Part::Field(field_path(after[..close].trim())?));
            rest = &after[close + 2..];
        }
        if rest.contains("}}") {
            return Err(TemplateError::Syntax("}} without {{".into()));
        }
        if !rest.is_empty() {
            parts.push(Part::Text(unescape(rest)));
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            return Err(TemplateError::Syntax(
                "it names no field; write {{field}}, e.g. '{{repository}}:{{tag}}'".into(),
            ));
        }
        Ok(Self {
            text: text.to_owned(),
            parts,
        })
    }
}

/// `repository`, `.repository`, `plan.manifests`, or `.` (the whole row).
fn field_path(inside: &str) -> Result<Vec<String>, TemplateError> {
    let inside = inside.strip_prefix('.').unwrap_or(inside);
    if inside.is_empty() {
        return Ok(Vec::new());
    }
    let valid = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    let path: Vec<String> = inside.split('.').map(str::to_owned).collect();
    if path.iter().all(|p| valid(p)) {
        Ok(path)
    } else {
        Err(TemplateError::Syntax(format!(
            "{{{{{inside}}}}} is not a field name (letters, digits, _ and -, nested with dots)"
        )))
    }
}

/// `\t`, `\n` and `\\` in the template's text.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

impl Template {
    /// One row as text; each value escaped. A field the row lacks is an error.
    #[cfg(test)]
    pub fn render(&self, row: &Value) -> Result<String, TemplateError> {
        self.render_with(row, |_| false)
    }

    /// Rows as lines. Rows leave out fields they have no value for (`size` before details are
    /// read), so a field is checked against all rows: one no row has is an error, one this row
    /// lacks is empty.
    pub fn render_rows(&self, rows: &[Value]) -> Result<Vec<String>, TemplateError> {
        let known: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter_map(Value::as_object)
            .flat_map(|o| o.keys().map(String::as_str))
            .collect();
        rows.iter()
            .map(|row| self.render_with(row, |field| known.contains(field)))
            .collect()
    }

    fn render_with(
        &self,
        row: &Value,
        elsewhere: impl Fn(&str) -> bool,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Field(path) => match lookup(row, path) {
                    Ok(value) => out.push_str(&escape(&text_of(value))),
                    Err(_) if path.len() == 1 && elsewhere(&path[0]) => {}
                    Err(err) => return Err(err),
                },
            }
        }
        Ok(out)
    }
}

fn lookup<'a>(row: &'a Value, path: &[String]) -> Result<&'a Value, TemplateError> {
    let mut at = row;
    for (i, name) in path.iter().enumerate() {
        let next = match at {
            Value::Object(map) => map.get(name),
            _ => None,
        };
        at = next.ok_or_else(|| {
            let known = match at {
                Value::Object(map) => map.keys().cloned().collect::<Vec<_>>().join(", "),
                _ => "none (a plain value)".to_owned(),
            };
            TemplateError::UnknownField {
                field: path[..=i].join("."),
                known,
            }
        })?;
    }
    Ok(at)
}

/// A value as template output: strings as they are, null as nothing, lists joined by commas,
/// objects as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(_) | Value::Number(_) => value.to_string(),
        Value::Array(items) => items.iter().map(text_of).collect::<Vec<_>>().join(","),
        Value::Object(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn render(template: &str, row: Value) -> Result<String, TemplateError> {
        template.parse::<Template>()?.render(&row)
    }

    #[test]
    fn fields_nested_fields_lists_and_go_style_dots() {
        let row = json!({ "repository": "app", "tag": "1.0", "digest": "sha256:ab",
                          "tags": ["a", "b"], "size": 12, "none": null, "plan": { "n": 2 } });
        assert_eq!(
            render("{{repository}}:{{tag}} {{digest}}", row.clone()).unwrap(),
            "app:1.0 sha256:ab"
        );
        assert_eq!(
            render(
                "{{ .repository }}\\t{{tags}}\\t{{size}}[{{none}}]",
                row.clone()
            )
            .unwrap(),
            "app\ta,b\t12[]"
        );
        assert_eq!(render("{{plan.n}}", row.clone()).unwrap(), "2");
        assert_eq!(render("{{.}}", json!({"a": 1})).unwrap(), r#"{"a":1}"#);
    }

    #[test]
    fn values_are_escaped_and_the_templates_own_text_is_not() {
        let row = json!({ "tag": "evil\u{1b}[2J" });
        assert_eq!(render("{{tag}}\\n", row).unwrap(), "evil\\x1b[2J\n");
    }

    #[test]
    fn a_field_some_rows_leave_out_is_empty_in_them() {
        let template: Template = "{{tag}}={{size}}".parse().unwrap();
        let rows = [json!({ "tag": "a", "size": 1 }), json!({ "tag": "b" })];
        assert_eq!(template.render_rows(&rows).unwrap(), ["a=1", "b="]);
        let typo: Template = "{{sise}}".parse().unwrap();
        assert!(typo.render_rows(&rows).is_err());
    }

    #[test]
    fn mistakes_are_one_line_errors() {
        for (template, needle) in [
            ("{{repository", "never closed"),
            ("repository}}", "}} without {{"),
            ("no fields", "names no field"),
            ("{{a b}}", "not a field name"),
        ] {
            let err = template.parse::<Template>().unwrap_err().to_string();
            assert!(err.contains(needle), "{template}: {err}");
            assert!(!err.contains('\n'));
        }
        let err = render("{{repo}}", json!({ "repository": "app", "tag": "1" })).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--format template: no field \"repo\" in this command's output; its fields are repository, tag"
        );
    }
}
