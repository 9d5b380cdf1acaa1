//! Reading a Stream run's three inputs (paths or in memory) into the IR the engine takes, and
//! the names messages and reports use for them.

use std::path::{Path, PathBuf};

use zz_inputs::stream::{
    CoreResolver, read_stream_accelerator, read_stream_accelerator_str, read_stream_mapping, read_stream_mapping_str,
    read_stream_workload_onnx, read_stream_workload_onnx_bytes, read_stream_workload_yaml,
    read_stream_workload_yaml_str,
};
use zz_ir::stream::StreamProblem;
use zz_ir::stream::mapping::StreamMapping;

use crate::{Error, Result, Source};

/// The original mapping of a run, kept so that `allocation_mapping.yaml` / `co_mapping.yaml`
/// can be written from it.
#[derive(Clone, Debug)]
enum MappingOrigin {
    Path(PathBuf),
    Text { name: String, text: String },
}

/// The inputs of a Stream run with the names messages and reports use for them.
#[derive(Clone, Debug)]
pub(crate) struct Files {
    /// The accelerator file (or, in memory, the folder its core files are resolved from).
    accelerator: Option<PathBuf>,
    accelerator_text: Option<(String, String)>,
    workload: OwnedSource,
    mapping: MappingOrigin,
    pub accelerator_label: String,
    pub workload_label: String,
    pub mapping_label: String,
    pub workload_name: String,
}

#[derive(Clone, Debug)]
enum OwnedSource {
    Path(PathBuf),
    Text { name: String, text: String },
    Onnx { name: String, bytes: Vec<u8> },
}

impl OwnedSource {
    fn new(s: &Source<'_>) -> Self {
        match *s {
            Source::Path(p) => OwnedSource::Path(p.to_path_buf()),
            Source::Text { name, text } => OwnedSource::Text { name: name.into(), text: text.into() },
            Source::Onnx { name, bytes } => OwnedSource::Onnx { name: name.into(), bytes: bytes.to_vec() },
        }
    }
}

impl Files {
    pub fn new(accelerator: &Source<'_>, workload: &Source<'_>, mapping: &Source<'_>) -> Result<Files> {
        let (accelerator_path, accelerator_text) = match *accelerator {
            Source::Path(p) => (Some(p.to_path_buf()), None),
            Source::Text { .. } | Source::Onnx { .. } => {
                let (name, text) = accelerator.yaml_text().map_err(Error::Input)?;
                (None, Some((name.to_string(), text.to_string())))
            }
        };
        let mapping_origin = match *mapping {
            Source::Path(p) => MappingOrigin::Path(p.to_path_buf()),
            Source::Text { .. } | Source::Onnx { .. } => {
                let (name, text) = mapping.yaml_text().map_err(Error::Input)?;
                MappingOrigin::Text { name: name.into(), text: text.into() }
            }
        };
        Ok(Files {
            accelerator: accelerator_path,
            accelerator_text,
            workload: OwnedSource::new(workload),
            mapping: mapping_origin,
            accelerator_label: accelerator.label(),
            workload_label: workload.label(),
            mapping_label: mapping.label(),
            workload_name: workload.file_name(),
        })
    }

    /// Reads accelerator, mapping and workload (in that order, warnings in reading order). An
    /// in-memory accelerator resolves its core files from the working directory (and
    /// `resolver`'s `stream/inputs` folder).
    pub fn read(&self, resolver: &CoreResolver) -> Result<StreamProblem> {
        let (accelerator, mut warnings) = match (&self.accelerator, &self.accelerator_text) {
            (Some(p), _) => read_stream_accelerator(p, resolver),
            (None, Some((name, text))) => read_stream_accelerator_str(name, text, Path::new("."), resolver),
            (None, None) => unreachable!("Files::new sets one of them"),
        }
        .map_err(Error::Input)?;
        let (mapping, w) = self.read_mapping()?;
        warnings.extend(w);
        let (workload, w) = match &self.workload {
            OwnedSource::Path(p) if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx")) => {
                read_stream_workload_onnx(p, &mapping, &accelerator)
            }
            OwnedSource::Path(p) => read_stream_workload_yaml(p, &mapping, &accelerator),
            OwnedSource::Text { name, text } => read_stream_workload_yaml_str(name, text, &mapping, &accelerator),
            OwnedSource::Onnx { name, bytes } => read_stream_workload_onnx_bytes(name, bytes, &mapping, &accelerator),
        }
        .map_err(Error::Input)?;
        warnings.extend(w);
        Ok(StreamProblem { accelerator, workload, mapping, warnings })
    }

    /// The mapping, read again from its origin.
    pub fn read_mapping(&self) -> Result<(StreamMapping, Vec<zz_inputs::Warning>)> {
        match &self.mapping {
            MappingOrigin::Path(p) => read_stream_mapping(p),
            MappingOrigin::Text { name, text } => read_stream_mapping_str(name, text),
        }
        .map_err(Error::Input)
    }

    /// The mapping's original text.
    pub fn mapping_text(&self) -> std::result::Result<String, String> {
        match &self.mapping {
            MappingOrigin::Path(p) => std::fs::read_to_string(p).map_err(|e| e.to_string()),
            MappingOrigin::Text { text, .. } => Ok(text.clone()),
        }
    }

    pub fn accelerator_dir_default_inputs(&self) -> Option<PathBuf> {
        self.accelerator.as_deref().and_then(default_stream_inputs)
    }
}

/// The default folder playing Stream's `stream/inputs`: the nearest ancestor of the accelerator
/// file holding `examples/` or `testing/`.
pub(crate) fn default_stream_inputs(acc: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(acc).ok()?;
    abs.ancestors().skip(1).find(|d| d.join("testing").is_dir() || d.join("examples").is_dir()).map(Path::to_path_buf)
}
