//! The Stream inputs as the engine reads them today: files. A workload or mapping given in
//! memory is written to a private temporary folder (removed on drop) and every message
//! naming that file names the in-memory input instead.
//!
//! TODO(merge): the `stream` branch makes `zz_stream::pipeline::prepare*` take in-memory IR
//! values; then this module reads the sources with `zz-inputs` and the temporary files go.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use zz_inputs::{InputError, Warning};

use crate::{Error, Result, Source};

/// The three input files of a Stream run (written out when given in memory), with the names
/// messages and reports use for them.
#[derive(Debug)]
pub(crate) struct Files {
    pub accelerator: PathBuf,
    pub workload: PathBuf,
    pub mapping: PathBuf,
    pub accelerator_label: String,
    pub workload_label: String,
    pub mapping_label: String,
    pub workload_name: String,
    /// (temporary path, in-memory name) of every input written out.
    renamed: Vec<(String, String)>,
    temp_dir: Option<PathBuf>,
}

impl Drop for Files {
    fn drop(&mut self) {
        if let Some(d) = &self.temp_dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

static NEXT_DIR: AtomicUsize = AtomicUsize::new(0);

impl Files {
    pub fn new(accelerator: &Source<'_>, workload: &Source<'_>, mapping: &Source<'_>) -> Result<Files> {
        let Source::Path(acc) = accelerator else {
            return Err(Error::Unsupported(
                "a Stream accelerator names its core files relative to its own file: give it as a path".into(),
            ));
        };
        let mut files = Files {
            accelerator: acc.to_path_buf(),
            workload: PathBuf::new(),
            mapping: PathBuf::new(),
            accelerator_label: accelerator.label(),
            workload_label: workload.label(),
            mapping_label: mapping.label(),
            workload_name: workload.file_name(),
            renamed: Vec::new(),
            temp_dir: None,
        };
        files.workload = files.materialise(workload, true)?;
        files.mapping = files.materialise(mapping, false)?;
        Ok(files)
    }

    fn materialise(&mut self, src: &Source<'_>, is_workload: bool) -> Result<PathBuf> {
        let (name, bytes, onnx): (&str, &[u8], bool) = match *src {
            Source::Path(p) => return Ok(p.to_path_buf()),
            Source::Text { name, text } => (name, text.as_bytes(), false),
            Source::Onnx { name, bytes } => (name, bytes, true),
        };
        if onnx && !is_workload {
            return Err(src.yaml_text().err().map(Error::Input).unwrap_or_else(|| Error::Other(name.into())));
        }
        let dir = match &self.temp_dir {
            Some(d) => d.clone(),
            None => {
                let k = NEXT_DIR.fetch_add(1, Ordering::Relaxed);
                let d = std::env::temp_dir().join(format!("zigzag-facade-{}-{k}", std::process::id()));
                std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
                self.temp_dir = Some(d.clone());
                d
            }
        };
        // The extension decides how the engine reads a workload.
        let file =
            format!("{}.{}", if is_workload { "workload" } else { "mapping" }, if onnx { "onnx" } else { "yaml" });
        let path = dir.join(file);
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
        self.renamed.push((path.display().to_string(), name.to_string()));
        Ok(path)
    }

    /// `text` with every temporary path replaced by the in-memory name it stands for.
    pub fn rename(&self, text: &str) -> String {
        let mut s = text.to_string();
        for (tmp, name) in &self.renamed {
            s = s.replace(tmp.as_str(), name);
        }
        s
    }

    pub fn rename_input_error(&self, mut e: InputError) -> InputError {
        e.file = self.rename(&e.file);
        e.message = self.rename(&e.message);
        e
    }

    pub fn rename_warnings(&self, warnings: &[Warning]) -> Vec<Warning> {
        warnings
            .iter()
            .map(|w| Warning { file: self.rename(&w.file), line: w.line, message: self.rename(&w.message) })
            .collect()
    }

    pub fn accelerator_dir_default_inputs(&self) -> Option<PathBuf> {
        default_stream_inputs(&self.accelerator)
    }
}

/// The default folder playing Stream's `stream/inputs`: the nearest ancestor of the accelerator
/// file holding `examples/` or `testing/`.
pub(crate) fn default_stream_inputs(acc: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(acc).ok()?;
    abs.ancestors().skip(1).find(|d| d.join("testing").is_dir() || d.join("examples").is_dir()).map(Path::to_path_buf)
}
