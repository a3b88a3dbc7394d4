//! What a request to the API asked for beyond a resource's attributes (`?links`, `?embed`,
//! `?newer`), read strictly from its query: the resources (`hal`) are drawn in it, and the
//! snapshot keeps what it drew per shape.

/// What a request asked for beyond the resource's attributes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Shape {
    pub links: bool,
    /// Levels of children to embed: 0 none, `u32::MAX` all.
    pub embed: u32,
    /// On a tag: the newest version of its family.
    pub newer: bool,
}

impl Shape {
    pub fn below(self) -> Self {
        Self {
            embed: self.embed.saturating_sub(1),
            ..self
        }
    }
}

/// Reads `links`, `embed` and `newer`; anything else, or a value that is not one, is refused with
/// the reason.
pub fn parse_query(query: Option<&str>) -> Result<Shape, String> {
    let mut shape = Shape::default();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let flag = |value: &str| match value {
            "true" | "1" | "" => Ok(true),
            "false" | "0" => Ok(false),
            other => Err(format!("{key} must be true or false, not {other:?}")),
        };
        match key.as_ref() {
            "links" => shape.links = flag(&value)?,
            "newer" => shape.newer = flag(&value)?,
            "embed" => {
                shape.embed = match value.as_ref() {
                    "true" | "" => u32::MAX,
                    "false" => 0,
                    n => n.parse().map_err(|_| {
                        format!("embed must be true, false or a depth (0-9), not {n:?}")
                    })?,
                }
            }
            other => {
                return Err(format!(
                    "unknown query parameter {other:?} (links, embed, newer)"
                ));
            }
        }
    }
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_read_strictly() {
        assert_eq!(parse_query(None), Ok(Shape::default()));
        let shape = parse_query(Some("links=true&embed=2")).unwrap();
        assert!(shape.links);
        assert_eq!(shape.embed, 2);
        assert_eq!(parse_query(Some("embed=true")).unwrap().embed, u32::MAX);
        assert!(parse_query(Some("embed=x")).is_err());
        assert!(parse_query(Some("links=maybe")).is_err());
        assert!(parse_query(Some("limit=3")).unwrap_err().contains("limit"));
    }
}
