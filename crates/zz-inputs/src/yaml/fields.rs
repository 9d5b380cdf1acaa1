//! Typed, located access to a [`Node`] tree: key checks, required keys and scalar types.
//!
//! Every accessor reports failures as an [`InputError`] carrying the file, the node's
//! line and column, the dotted key path (e.g. `memories.dram.ports[0].bandwidth_min`)
//! and what was expected.

use crate::error::{InputError, Warning};

use super::node::{Entry, Node, Pos, Value};

/// The key path of `key` inside `path`.
pub fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

/// The key path of item `index` of the list at `path`.
pub fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// One file being read: its name for messages and the warnings collected so far.
#[derive(Debug)]
pub struct Doc {
    /// File name as given by the caller.
    pub file: String,
    /// Warnings collected while reading.
    pub warnings: Vec<Warning>,
}

/// A node together with its key path.
#[derive(Clone, Debug)]
pub struct Item<'n> {
    /// The node.
    pub node: &'n Node,
    /// Its dotted key path (`-` style root is the empty string).
    pub path: String,
}

impl<'n> Item<'n> {
    /// The root item of a document.
    pub fn root(node: &'n Node) -> Self {
        Item { node, path: String::new() }
    }

    /// The node's position.
    pub fn pos(&self) -> Pos {
        self.node.pos
    }

    /// True for `null`.
    pub fn is_null(&self) -> bool {
        self.node.is_null()
    }
}

impl Doc {
    /// A document named `file` (used in every message).
    pub fn new(file: &str, warnings: Vec<Warning>) -> Self {
        Doc { file: file.to_owned(), warnings }
    }

    /// An error at `pos` about `key`.
    pub fn error_at(&self, pos: Pos, key: &str, message: impl Into<String>) -> InputError {
        InputError {
            file: self.file.clone(),
            line: pos.line,
            column: pos.column,
            key: if key.is_empty() { "-".into() } else { key.to_owned() },
            message: message.into(),
        }
    }

    /// An error about `item`.
    pub fn error(&self, item: &Item<'_>, message: impl Into<String>) -> InputError {
        self.error_at(item.pos(), &item.path, message)
    }

    /// A type error: expected `what`, found whatever the node is.
    pub fn expected(&self, item: &Item<'_>, what: &str) -> InputError {
        self.error(item, format!("expected {what}, found {}", item.node.describe()))
    }

    /// Records a warning at `pos`.
    pub fn warn(&mut self, pos: Pos, message: impl Into<String>) {
        self.warnings.push(Warning { file: self.file.clone(), line: pos.line, message: message.into() });
    }

    /// Checks that `item` is a mapping with string keys drawn from `allowed`.
    pub fn map<'n>(&self, item: &Item<'n>, allowed: &[&str]) -> Result<Fields<'n>, InputError> {
        let Value::Map(entries) = &item.node.value else {
            return Err(self.expected(item, "a mapping"));
        };
        for entry in entries {
            let key_ok = matches!(&entry.key.value, Value::Str(k) if allowed.contains(&k.as_str()));
            if !key_ok {
                let key = entry.key.key_text();
                let where_ =
                    if item.path.is_empty() { "at the top level".to_owned() } else { format!("in `{}`", item.path) };
                return Err(self.error_at(
                    entry.key.pos,
                    &child_path(&item.path, &key),
                    format!("unknown key `{key}` {where_}; allowed keys: {}", allowed.join(", ")),
                ));
            }
        }
        Ok(Fields { item: item.clone(), entries, allowed: allowed.iter().map(|s| (*s).to_owned()).collect() })
    }

    /// Checks that `item` is a mapping with string keys (any), returning its entries.
    pub fn any_map<'n>(&self, item: &Item<'n>) -> Result<Vec<(String, Pos, Item<'n>)>, InputError> {
        let Value::Map(entries) = &item.node.value else {
            return Err(self.expected(item, "a mapping"));
        };
        let mut out = Vec::with_capacity(entries.len());
        for entry in entries {
            let Some(key) = entry.key.as_str() else {
                let key_item = Item { node: &entry.key, path: child_path(&item.path, &entry.key.key_text()) };
                return Err(self.expected(&key_item, "a string key"));
            };
            out.push((key.to_owned(), entry.key.pos, Item { node: &entry.value, path: child_path(&item.path, key) }));
        }
        Ok(out)
    }

    /// The items of a list.
    pub fn seq<'n>(&self, item: &Item<'n>) -> Result<Vec<Item<'n>>, InputError> {
        let Value::Seq(items) = &item.node.value else {
            return Err(self.expected(item, "a list"));
        };
        Ok(items.iter().enumerate().map(|(i, node)| Item { node, path: index_path(&item.path, i) }).collect())
    }

    /// A string.
    pub fn str<'n>(&self, item: &Item<'n>) -> Result<&'n str, InputError> {
        item.node.as_str().ok_or_else(|| self.expected(item, "a string"))
    }

    /// A boolean.
    pub fn bool(&self, item: &Item<'_>) -> Result<bool, InputError> {
        match item.node.value {
            Value::Bool(b) => Ok(b),
            _ => Err(self.expected(item, "a boolean (true or false)")),
        }
    }

    /// A non-negative integer that fits in `u64`.
    pub fn u64(&self, item: &Item<'_>) -> Result<u64, InputError> {
        match item.node.value {
            Value::Int(i) => u64::try_from(i).map_err(|_| self.expected(item, "a non-negative integer")),
            _ => Err(self.expected(item, "a non-negative integer")),
        }
    }

    /// An integer that fits in `i64`.
    pub fn i64(&self, item: &Item<'_>) -> Result<i64, InputError> {
        match item.node.value {
            Value::Int(i) => i64::try_from(i).map_err(|_| self.expected(item, "an integer within 64 bits")),
            _ => Err(self.expected(item, "an integer")),
        }
    }

    /// A number: floats and integers are both accepted (as Cerberus' `float`).
    pub fn f64(&self, item: &Item<'_>) -> Result<f64, InputError> {
        match item.node.value {
            Value::Float(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            _ => Err(self.expected(item, "a number")),
        }
    }

    /// A list of strings.
    pub fn str_list<'n>(&self, item: &Item<'n>) -> Result<Vec<(&'n str, Item<'n>)>, InputError> {
        self.seq(item)?.into_iter().map(|it| Ok((self.str(&it)?, it))).collect()
    }

    /// A list of non-negative integers.
    pub fn u64_list(&self, item: &Item<'_>) -> Result<Vec<u64>, InputError> {
        self.seq(item)?.iter().map(|it| self.u64(it)).collect()
    }
}

/// The entries of a mapping whose keys were checked against an allowed set.
#[derive(Debug)]
pub struct Fields<'n> {
    /// The mapping itself.
    pub item: Item<'n>,
    entries: &'n [Entry],
    allowed: Vec<String>,
}

impl<'n> Fields<'n> {
    /// The value of `key` if present (it may be `null`).
    pub fn get(&self, key: &str) -> Option<Item<'n>> {
        self.entries
            .iter()
            .find(|e| e.key.as_str() == Some(key))
            .map(|e| Item { node: &e.value, path: child_path(&self.item.path, key) })
    }

    /// The value of `key` if present and not `null`.
    pub fn get_nonnull(&self, key: &str) -> Option<Item<'n>> {
        self.get(key).filter(|it| !it.is_null())
    }

    /// Keys in file order.
    pub fn keys(&self) -> impl Iterator<Item = (&'n str, Pos)> + '_ {
        self.entries.iter().filter_map(|e| e.key.as_str().map(|k| (k, e.key.pos)))
    }

    /// The value of a required key.
    pub fn req(&self, doc: &Doc, key: &str) -> Result<Item<'n>, InputError> {
        self.get(key).ok_or_else(|| {
            let where_ = if self.item.path.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("in `{}`", self.item.path)
            };
            doc.error_at(
                self.item.pos(),
                &child_path(&self.item.path, key),
                format!("missing required key `{key}` {where_}; allowed keys: {}", self.allowed.join(", ")),
            )
        })
    }

    /// A required non-negative integer.
    pub fn req_u64(&self, doc: &Doc, key: &str) -> Result<u64, InputError> {
        doc.u64(&self.req(doc, key)?)
    }

    /// A required string.
    pub fn req_str(&self, doc: &Doc, key: &str) -> Result<&'n str, InputError> {
        doc.str(&self.req(doc, key)?)
    }

    /// An optional (nullable) number.
    pub fn opt_f64(&self, doc: &Doc, key: &str) -> Result<Option<f64>, InputError> {
        self.get_nonnull(key).map(|it| doc.f64(&it)).transpose()
    }

    /// An optional (nullable) non-negative integer.
    pub fn opt_u64(&self, doc: &Doc, key: &str) -> Result<Option<u64>, InputError> {
        self.get_nonnull(key).map(|it| doc.u64(&it)).transpose()
    }

    /// An optional boolean with a default (a present `null` is an error, as in the reference schema).
    pub fn bool_or(&self, doc: &Doc, key: &str, default: bool) -> Result<bool, InputError> {
        self.get(key).map(|it| doc.bool(&it)).transpose().map(|b| b.unwrap_or(default))
    }

    /// An optional string with a default.
    pub fn str_or(&self, doc: &Doc, key: &str, default: &str) -> Result<String, InputError> {
        Ok(self.get(key).map(|it| doc.str(&it)).transpose()?.unwrap_or(default).to_owned())
    }
}
