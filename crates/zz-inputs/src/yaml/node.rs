//! A located YAML tree: every node keeps its 1-based line and column.
//!
//! The text is parsed by serde-saphyr into [`Node`]s with duplicated mapping keys passed
//! through; [`parse`] then collapses them the way PyYAML does (the last value wins, at the
//! position of the first occurrence) and reports each duplicate as a [`Warning`] that
//! names both lines.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Spanned};

use crate::error::{InputError, Warning};

pub use zz_ir::diagnostics::Pos;

fn pos_from_location(loc: &serde_saphyr::Location) -> Pos {
    Pos {
        line: usize::try_from(loc.line()).unwrap_or(usize::MAX),
        column: usize::try_from(loc.column()).unwrap_or(usize::MAX),
    }
}

/// One YAML node with its position.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node starts.
    pub pos: Pos,
    /// The node's value.
    pub value: Value,
}

/// A mapping entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key node (usually a string).
    pub key: Node,
    /// The value node.
    pub value: Node,
}

/// The value of a YAML node, with scalars already resolved to their types.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`, `~` or an empty value.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer (wide enough for any `u64` and `i64`).
    Int(i128),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, entries in file order.
    Map(Vec<Entry>),
}

impl Node {
    /// The string value, if this is a string scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The key text used for lookups and messages: strings as-is, other scalars rendered.
    pub fn key_text(&self) -> String {
        match &self.value {
            Value::Str(s) => s.clone(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Seq(_) => "[...]".into(),
            Value::Map(_) => "{...}".into(),
        }
    }

    /// A short description of what the node is, for "expected X, found Y" messages.
    pub fn describe(&self) -> String {
        match &self.value {
            Value::Null => "null (no value)".into(),
            Value::Bool(b) => format!("the boolean `{b}`"),
            Value::Int(i) => format!("the integer `{i}`"),
            Value::Float(f) => format!("the number `{f}`"),
            Value::Str(s) => {
                let short: String = s.chars().take(40).collect();
                let ell = if short.len() < s.len() { "..." } else { "" };
                format!("the string \"{short}{ell}\"")
            }
            Value::Seq(_) => "a list".into(),
            Value::Map(_) => "a mapping".into(),
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node { pos: pos_from_location(&spanned.referenced), value: spanned.value })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Int(i128::from(v)))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        // Out-of-range integers are kept as floats; the readers then reject them by type.
        Ok(i128::try_from(v).map(Value::Int).unwrap_or(Value::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_char<E: de::Error>(self, v: char) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push(Entry { key, value });
        }
        Ok(Value::Map(entries))
    }
}

/// Parses YAML text into a located tree; duplicated keys keep the last value (with a warning).
///
/// An empty document (or one holding only comments) yields a `null` node at 1:1.
pub fn parse(file: &str, text: &str) -> Result<(Node, Vec<Warning>), InputError> {
    if text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---" || t == "..."
    }) {
        return Ok((Node { pos: Pos { line: 1, column: 1 }, value: Value::Null }, Vec::new()));
    }
    let options = serde_saphyr::options! { duplicate_keys: DuplicateKeyPolicy::PassThrough };
    let mut root: Node =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| syntax_error(file, text, &e))?;
    let mut warnings = Vec::new();
    collapse_duplicates(file, &mut root, "", &mut warnings);
    Ok((root, warnings))
}

/// Converts a serde-saphyr error into an [`InputError`] with a 1-based line and column.
fn syntax_error(file: &str, text: &str, err: &serde_saphyr::Error) -> InputError {
    let bare = err.without_snippet();
    let pos = bare.location().map(|l| pos_from_location(&l)).filter(|p| p.line > 0);
    // Errors at the very end of the input may come without a location: point at the last line.
    let pos = pos.unwrap_or_else(|| {
        let last_line = text.lines().count().max(1);
        Pos { line: last_line, column: 1 }
    });
    let mut message = strip_location(&bare.to_string());
    if message.contains("multiple YAML documents") {
        message = "the file holds several YAML documents (separated by `---`); expected exactly one".into();
    }
    InputError {
        file: file.to_owned(),
        line: pos.line,
        column: pos.column,
        key: "-".into(),
        message: format!("invalid YAML: {message}"),
    }
}

/// Removes serde-saphyr's own `line X column Y:` prefix or ` at line X, column Y` suffix,
/// since the error already carries the position.
fn strip_location(msg: &str) -> String {
    let first = msg.lines().next().unwrap_or("").trim();
    let rest = first
        .strip_prefix("line ")
        .and_then(|r| r.split_once(": "))
        .filter(|(loc, _)| loc.contains("column"))
        .map(|(_, m)| m)
        .unwrap_or(first);
    let rest = match rest.rfind(" at line ") {
        Some(i) if rest[i..].contains("column") => &rest[..i],
        _ => rest,
    };
    rest.trim().to_owned()
}

/// Collapses duplicated keys in every mapping of the tree, recording a warning for each.
fn collapse_duplicates(file: &str, node: &mut Node, path: &str, warnings: &mut Vec<Warning>) {
    match &mut node.value {
        Value::Seq(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                collapse_duplicates(file, item, &format!("{path}[{i}]"), warnings);
            }
        }
        Value::Map(entries) => {
            let mut kept: Vec<Entry> = Vec::with_capacity(entries.len());
            for entry in std::mem::take(entries) {
                let text = entry.key.key_text();
                match kept.iter_mut().find(|k| k.key.value == entry.key.value) {
                    Some(previous) => {
                        let at = if path.is_empty() { String::new() } else { format!(" in `{path}`") };
                        let (first, again) = (previous.key.pos, entry.key.pos);
                        let both = if first.line == again.line {
                            format!("line {}, columns {} and {}", first.line, first.column, again.column)
                        } else {
                            format!("lines {} and {}", first.line, again.line)
                        };
                        warnings.push(Warning {
                            file: file.to_owned(),
                            line: again.line,
                            message: format!(
                                "duplicate key `{text}`{at} ({both}): the last value (line {}) is used",
                                again.line
                            ),
                        });
                        // As a Python dict: the first key keeps its place, the last value wins.
                        previous.key.pos = entry.key.pos;
                        previous.value = entry.value;
                    }
                    None => kept.push(entry),
                }
            }
            for entry in &mut kept {
                let child = super::fields::child_path(path, &entry.key.key_text());
                collapse_duplicates(file, &mut entry.value, &child, warnings);
            }
            *entries = kept;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_types() {
        let (n, w) = parse("t.yaml", "a: 1\nb:\n  - x\n  - 2.5\nc: true\nd: 16_777_216\ne: ~\n").unwrap();
        assert!(w.is_empty());
        let Value::Map(entries) = &n.value else { panic!("not a map: {n:?}") };
        assert_eq!(entries[0].key.pos, Pos { line: 1, column: 1 });
        assert_eq!(entries[0].value.value, Value::Int(1));
        assert_eq!(entries[0].value.pos, Pos { line: 1, column: 4 });
        let Value::Seq(items) = &entries[1].value.value else { panic!() };
        assert_eq!(items[0].pos.line, 3);
        assert_eq!(items[1].value, Value::Float(2.5));
        assert_eq!(items[1].pos, Pos { line: 4, column: 5 });
        assert_eq!(entries[2].value.value, Value::Bool(true));
        assert_eq!(entries[3].value.value, Value::Int(16_777_216));
        assert_eq!(entries[4].value.value, Value::Null);
    }

    #[test]
    fn duplicates_last_wins_first_position() {
        let (n, w) = parse("t.yaml", "a: 1\nb: 2\na: 3\n").unwrap();
        let Value::Map(entries) = &n.value else { panic!() };
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].key.key_text(), "a");
        assert_eq!(entries[0].value.value, Value::Int(3));
        assert_eq!(w.len(), 1);
        assert!(w[0].message.contains("lines 1 and 3"), "{}", w[0].message);
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("t.yaml", "a: [1, 2\nb: 3\n").unwrap_err();
        assert!(e.line > 0, "{e}");
        assert_eq!(e.file, "t.yaml");
    }

    #[test]
    fn empty_is_null() {
        let (n, _) = parse("t.yaml", "# nothing\n\n").unwrap();
        assert!(n.is_null());
    }
}
