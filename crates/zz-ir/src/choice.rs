//! The error of parsing a named option value (an objective, an engine, a mode ...) with
//! `FromStr`: what was given and which values are accepted.

/// A value that is none of an option's accepted names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownChoice {
    /// The text that was given.
    pub got: String,
    /// The accepted names, in the order they are listed to the user.
    pub choices: &'static [&'static str],
}

impl UnknownChoice {
    /// An unknown `got` for an option accepting `choices`.
    pub fn new(got: &str, choices: &'static [&'static str]) -> Self {
        UnknownChoice { got: got.to_string(), choices }
    }

    /// The accepted names as prose: `a, b or c`.
    pub fn choices_text(&self) -> String {
        match self.choices.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_string(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        }
    }
}

impl std::fmt::Display for UnknownChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, got `{}`", self.choices_text(), self.got)
    }
}

impl std::error::Error for UnknownChoice {}

#[cfg(test)]
mod tests {
    use super::UnknownChoice;

    #[test]
    fn lists_the_choices_as_prose() {
        let e = UnknownChoice::new("x", &["latency", "energy", "edp"]);
        assert_eq!(e.to_string(), "expected latency, energy or edp, got `x`");
        assert_eq!(UnknownChoice::new("y", &["optimal"]).to_string(), "expected optimal, got `y`");
    }
}
