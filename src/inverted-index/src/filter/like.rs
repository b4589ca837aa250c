//! `Like`: `*` matches any sequence of characters (also none), `?` exactly one character, and
//! the pattern must match a whole token (Weaviate `like_regexp.go`: `^...$` with every other
//! character literal; common.py `like_to_regex`, which also lets wildcards match newlines).

use std::collections::BTreeMap;

use roaring::RoaringBitmap;

use crate::index::{Docs, Union};

/// A compiled `Like` pattern.
#[derive(Debug, Clone)]
pub(crate) struct Like {
    pattern: Vec<char>,
    /// The literal characters before the first wildcard: matching keys start with them.
    prefix: String,
}

impl Like {
    pub fn new(pattern: &str) -> Self {
        let prefix: String = pattern
            .chars()
            .take_while(|c| *c != '*' && *c != '?')
            .collect();
        Like {
            pattern: pattern.chars().collect(),
            prefix,
        }
    }

    /// The literal characters before the first wildcard.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// True if the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        let p = &self.pattern;
        let (mut ti, mut pi) = (0usize, 0usize);
        // position of the last `*` in the pattern and the text position it was tried at
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
                ti += 1;
                pi += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                // let the last star swallow one more character
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|c| *c == '*')
    }

    /// The union of the docs of every key of `map` (UTF-8 text) that matches.
    pub fn docs<V>(
        &self,
        map: &BTreeMap<Vec<u8>, V>,
        docs_of: impl Fn(&V) -> &Docs,
    ) -> RoaringBitmap {
        let mut out = Union::default();
        let prefix = self.prefix.as_bytes();
        for (k, v) in map.range::<[u8], _>((
            std::ops::Bound::Included(prefix),
            std::ops::Bound::Unbounded,
        )) {
            if !k.starts_with(prefix) {
                break;
            }
            if std::str::from_utf8(k).is_ok_and(|s| self.matches(s)) {
                out.add(docs_of(v));
            }
        }
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let m = |p: &str, t: &str| Like::new(p).matches(t);
        assert!(m("app*", "apple") && m("app*", "app") && !m("app*", "ap"));
        assert!(m("b?nana", "banana") && !m("b?nana", "bnana") && !m("b?nana", "baanana"));
        assert!(m("*rry", "cherry") && m("*rry", "rry") && !m("*rry", "rryx"));
        assert!(m("*an*", "banana") && m("*an*", "an") && !m("*an*", "apple"));
        assert!(m("?amma*", "Gamma Ray") && !m("?amma*", "amma"));
        assert!(m("a*b*c", "aXbYbZc") && !m("a*b*c", "aXbYbZ"));
        assert!(m("*", "") && m("**", "x") && !m("?", "") && m("?", "é"));
        assert!(
            m("a.c", "a.c") && !m("a.c", "abc"),
            "regex metacharacters are literal"
        );
        assert!(m("a*", "a\nb"), "wildcards match newlines");
    }

    #[test]
    fn prefix_scan_finds_exactly_the_matches() {
        let mut map: BTreeMap<Vec<u8>, Docs> = BTreeMap::new();
        for (i, w) in ["app", "apple", "apply", "banana", "ap", "b"]
            .iter()
            .enumerate()
        {
            map.insert(w.as_bytes().to_vec(), Docs::One(i as u32));
        }
        let docs = |p: &str| Like::new(p).docs(&map, |d| d).iter().collect::<Vec<_>>();
        assert_eq!(docs("app*"), [0, 1, 2]);
        assert_eq!(docs("appl?"), [1, 2]);
        assert_eq!(docs("*a"), [3]);
        assert_eq!(docs("b"), [5]);
    }
}
