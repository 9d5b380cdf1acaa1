//! One input as the Python side hands it over: a path, YAML text or ONNX bytes, owned so it
//! can cross threads (batches run on the rayon pool) and borrowed as a facade `Source`.

use zigzag::Source;

/// An owned input.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A file path (`.onnx` workloads are ONNX, everything else YAML).
    Path(String),
    /// YAML text; `name` is how messages name it.
    Yaml {
        /// Name in messages.
        name: String,
        /// The text.
        text: String,
    },
    /// A serialized ONNX model.
    Onnx {
        /// Name in messages.
        name: String,
        /// The model bytes.
        bytes: Vec<u8>,
    },
}

impl Input {
    /// The facade's view of this input.
    pub fn source(&self) -> Source<'_> {
        match self {
            Input::Path(p) => Source::path(p.as_str()),
            Input::Yaml { name, text } => Source::text(name, text),
            Input::Onnx { name, bytes } => Source::onnx(name, bytes),
        }
    }
}
