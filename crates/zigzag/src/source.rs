//! Where an input comes from: a file, YAML text or ONNX bytes held in memory. Messages and
//! reports name an in-memory input by the `name` it is given.

use std::path::Path;

use zz_inputs::{InputError, Warning};

/// One input file's content, or where to read it.
#[derive(Clone, Copy, Debug)]
pub enum Source<'a> {
    /// A file: `.onnx` workloads are ONNX models, everything else is YAML.
    Path(&'a Path),
    /// YAML text; `name` stands for the file name in messages and reports.
    Text {
        /// Name used in messages (e.g. `workload.yaml`).
        name: &'a str,
        /// The YAML text.
        text: &'a str,
    },
    /// A serialized ONNX model (workloads only).
    Onnx {
        /// Name used in messages (e.g. `resnet18.onnx`).
        name: &'a str,
        /// The model's bytes.
        bytes: &'a [u8],
    },
}

impl<'a> Source<'a> {
    /// A file.
    pub fn path(path: &'a (impl AsRef<Path> + ?Sized)) -> Self {
        Source::Path(path.as_ref())
    }

    /// YAML text named `name`.
    pub fn text(name: &'a str, text: &'a str) -> Self {
        Source::Text { name, text }
    }

    /// ONNX bytes named `name`.
    pub fn onnx(name: &'a str, bytes: &'a [u8]) -> Self {
        Source::Onnx { name, bytes }
    }

    /// How messages name this input: the path as given, or the name.
    pub fn label(&self) -> String {
        match self {
            Source::Path(p) => p.display().to_string(),
            Source::Text { name, .. } | Source::Onnx { name, .. } => name.to_string(),
        }
    }

    /// How reports name this input: the file name of the path (or of the name).
    pub fn file_name(&self) -> String {
        let path = match self {
            Source::Path(p) => *p,
            Source::Text { name, .. } | Source::Onnx { name, .. } => Path::new(*name),
        };
        path.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_default()
    }

    /// The YAML text of a non-file source; an ONNX model given where YAML is expected is an
    /// input error saying where it belongs (as for a `.onnx` file).
    pub(crate) fn yaml_text(&self) -> Result<(&'a str, &'a str), InputError> {
        match *self {
            Source::Text { name, text } => Ok((name, text)),
            Source::Onnx { name, .. } => Err(InputError {
                file: name.to_string(),
                line: 0,
                column: 0,
                key: "-".into(),
                message: "this is an ONNX model, not a YAML file; ONNX models are workloads: give it to -w/--workload (were -a, -w and -m swapped?)".into(),
            }),
            Source::Path(_) => unreachable_path(),
        }
    }
}

// `yaml_text` is only called on the in-memory variants; a path there is a facade bug, reported
// as an input error rather than a panic.
fn unreachable_path<T>() -> Result<T, InputError> {
    Err(InputError {
        file: "-".into(),
        line: 0,
        column: 0,
        key: "-".into(),
        message: "internal: a file path was read as in-memory text".into(),
    })
}

/// A value read from an input, with the reader's warnings (duplicated keys, dropped
/// dimensions, inferred shapes ...), which the caller shows or ignores.
#[derive(Clone, Debug)]
pub struct Read<T> {
    /// The value.
    pub value: T,
    /// The warnings, in file order.
    pub warnings: Vec<Warning>,
}

impl<T> Read<T> {
    pub(crate) fn new((value, warnings): (T, Vec<Warning>)) -> Self {
        Read { value, warnings }
    }
}
