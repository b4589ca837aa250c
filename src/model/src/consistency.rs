//! Consistency levels: how many replicas must answer, as Weaviate's `consistency_level`
//! parameter names them on every wire format.

/// How many replicas must acknowledge an operation (Weaviate's `consistency_level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConsistencyLevel {
    One,
    /// `n/2 + 1`: the default for object reads and writes.
    #[default]
    Quorum,
    All,
}

impl ConsistencyLevel {
    /// `ONE`, `QUORUM` or `ALL`, as Weaviate spells them.
    pub fn parse(s: &str) -> Option<ConsistencyLevel> {
        match s {
            "ONE" => Some(ConsistencyLevel::One),
            "QUORUM" => Some(ConsistencyLevel::Quorum),
            "ALL" => Some(ConsistencyLevel::All),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConsistencyLevel::One => "ONE",
            ConsistencyLevel::Quorum => "QUORUM",
            ConsistencyLevel::All => "ALL",
        }
    }

    /// Acknowledgements needed from `n` replicas.
    pub fn required(self, n: usize) -> usize {
        match self {
            ConsistencyLevel::One => 1.min(n),
            ConsistencyLevel::Quorum => n / 2 + 1,
            ConsistencyLevel::All => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ConsistencyLevel;

    #[test]
    fn levels() {
        let q = ConsistencyLevel::Quorum;
        assert_eq!([1, 2, 3, 4, 5].map(|n| q.required(n)), [1, 2, 2, 3, 3]);
        assert_eq!(ConsistencyLevel::One.required(3), 1);
        assert_eq!(ConsistencyLevel::One.required(0), 0);
        assert_eq!(ConsistencyLevel::All.required(3), 3);
        assert_eq!(ConsistencyLevel::parse("ALL"), Some(ConsistencyLevel::All));
        assert_eq!(ConsistencyLevel::parse("all"), None);
        assert_eq!(ConsistencyLevel::default(), ConsistencyLevel::Quorum);
        assert_eq!(ConsistencyLevel::One.as_str(), "ONE");
    }
}
