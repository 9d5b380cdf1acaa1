//! Python's `json.dump(obj, fp, indent=4)` layout applied to compact JSON text: the dump
//! folder's files are encoded by Python's C encoder (compact, `separators=(",", ":")`) and laid
//! out here, because the pure-Python encoder Python falls back to whenever `indent` is set
//! costs more than the whole engine call. Only whitespace is inserted: numbers, strings and
//! escapes stay the encoder's own bytes.

/// Lays out compact JSON (no whitespace outside strings) as Python's `indent=4` does: each
/// element of a non-empty array or object on its own line, `": "` after keys, `[]` and `{}`
/// for empty containers.
pub fn indent4(compact: &str) -> String {
    let bytes = compact.as_bytes();
    let mut out = String::with_capacity(compact.len() + compact.len() / 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0usize; // start of the pending run of bytes copied verbatim
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("    ");
        }
    };
    let mut k = 0;
    while k < bytes.len() {
        let b = bytes[k];
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            k += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                let close = if b == b'[' { b']' } else { b'}' };
                if bytes.get(k + 1) == Some(&close) {
                    k += 2;
                    continue;
                }
                out.push_str(&compact[start..=k]);
                depth += 1;
                newline(&mut out, depth);
                start = k + 1;
            }
            b']' | b'}' => {
                out.push_str(&compact[start..k]);
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                start = k;
            }
            b',' => {
                out.push_str(&compact[start..=k]);
                newline(&mut out, depth);
                start = k + 1;
            }
            b':' => {
                out.push_str(&compact[start..=k]);
                out.push(' ');
                start = k + 1;
            }
            _ => {}
        }
        k += 1;
    }
    out.push_str(&compact[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::indent4;

    #[test]
    fn lays_out_like_python_indent_4() {
        // What Python's json.dumps(obj, indent=4) prints for
        // {"a": [1, 2.5, {}], "b": {"c": [], "d:,{": "x\"]"}, "e": -1e-07}
        let compact = r#"{"a":[1,2.5,{}],"b":{"c":[],"d:,{":"x\"]"},"e":-1e-07}"#;
        let python = "{\n    \"a\": [\n        1,\n        2.5,\n        {}\n    ],\n    \"b\": {\n        \"c\": [],\n        \"d:,{\": \"x\\\"]\"\n    },\n    \"e\": -1e-07\n}";
        assert_eq!(indent4(compact), python);
        assert_eq!(indent4("[]"), "[]");
        assert_eq!(indent4("3"), "3");
        assert_eq!(indent4(r#""a\\""#), r#""a\\""#);
    }
}
