//! dregutil's own test data (its test/data.py): repositories `a`, `b`, `c`, where `b` and `c` share
//! the digest `BC`. Data only, so that the selection unit tests (as an inventory) and the integration
//! tests (as real images pushed to a registry) share one definition.

/// repository -> [(tag, the name of the digest it points to)].
pub const LAYOUT: [(&str, &[(&str, &str)]); 3] = [
    (
        "a",
        &[
            ("1.1.0", "A1"),
            ("1.2.0", "A2"),
            ("latest", "A1"),
            ("testing", "A2"),
            ("extra", "A2"),
        ],
    ),
    ("b", &[("1.0.0", "BC"), ("latest", "BC")]),
    (
        "c",
        &[
            ("1.0.0", "BC"),
            ("1.1.0", "C"),
            ("latest", "BC"),
            ("testing", "C"),
        ],
    ),
];
