//! Core allocations given by the user as JSON (`--allocation`): `{"layer": core}` /
//! `{"layer:group": core}` for the fixed path, `{"path": "ga", "allocation": {...}}` to replay
//! a genetic-algorithm choice, `{"layer": [cores]}` to replay a constraint-optimisation choice.

use serde_json::Value;

use super::Allocation;
use crate::{Error, Result};

fn invalid(message: String) -> Error {
    Error::InvalidOption { message }
}

/// `{"layer": core}` / `{"layer:group": core}` (optionally under an `allocation` key). With
/// `"path": "ga"` beside the `allocation` key the cores are replayed on the genetic-algorithm
/// path ([`Allocation::chosen`], runtimes truncated like the reference's GA does), which needs
/// `layer:group` keys.
pub fn allocation_from_json(v: &Value) -> Result<Allocation> {
    let ga = match v.get("path") {
        None => false,
        Some(p) if p == "ga" => true,
        Some(p) if p == "fixed" => false,
        Some(p) => return Err(invalid(format!("--allocation: \"path\" must be \"ga\" or \"fixed\", got {p}"))),
    };
    let v = v.get("allocation").filter(|a| a.is_object()).unwrap_or(v);
    let obj = v.as_object().ok_or_else(|| invalid(format!("--allocation: expected a JSON object, got {v}")))?;
    let mut a = Allocation::default();
    for (k, core) in obj {
        if k == "path" {
            continue;
        }
        let core = core
            .as_u64()
            .ok_or_else(|| invalid(format!("--allocation: core of `{k}` must be a core id, got {core}")))?
            as usize;
        let bad = || invalid(format!("--allocation: key `{k}` must be a layer id or `layer:group`"));
        match k.split_once(':') {
            Some((l, g)) => {
                let (l, g) = (l.trim().parse().map_err(|_| bad())?, g.trim().parse().map_err(|_| bad())?);
                if ga {
                    a.chosen.push((l, g, core));
                } else {
                    a.fixed.push((l, Some(g), core));
                }
            }
            None if ga => {
                return Err(invalid(format!(
                    "--allocation: with \"path\": \"ga\" every key must be `layer:group`, got `{k}`"
                )));
            }
            None => a.fixed.push((k.trim().parse().map_err(|_| bad())?, None, core)),
        }
    }
    Ok(a)
}

/// A constraint-optimisation allocation to replay: each layer id with its cores.
pub type CoReplay = Vec<(usize, Vec<usize>)>;

/// `{"layer": [cores], ...}` (optionally under a `co_allocation` key) for a
/// constraint-optimisation replay: every layer's sorted, de-duplicated core list.
pub fn co_replay_from_json(v: &Value) -> Result<CoReplay> {
    let v = v.get("co_allocation").unwrap_or(v);
    let obj = v.as_object().ok_or_else(|| invalid(format!("--allocation: expected a JSON object, got {v}")))?;
    let mut out = Vec::new();
    for (k, cores) in obj {
        let l: usize = k
            .trim()
            .parse()
            .map_err(|_| invalid(format!("--allocation: with --allocator co every key is a layer id, got `{k}`")))?;
        let list = match cores {
            Value::Array(a) => a.iter().map(|x| x.as_u64().map(|c| c as usize)).collect::<Option<Vec<usize>>>(),
            Value::Number(n) => n.as_u64().map(|c| vec![c as usize]),
            _ => None,
        }
        .ok_or_else(|| {
            invalid(format!("--allocation: cores of layer `{k}` must be a core id or a list of core ids, got {cores}"))
        })?;
        let mut list = list;
        list.sort_unstable();
        list.dedup();
        out.push((l, list));
    }
    Ok(out)
}
