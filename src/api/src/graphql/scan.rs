//! One pass over the query text before anything is parsed: how deep its brackets nest, how many
//! fields it selects (its cost), and which argument values are nested so deep that
//! graphql-parser cannot take them in one piece.
//!
//! graphql-parser 0.4 counts every open `(`, `[` and `{` in its tokenizer and fails past 50
//! (`TokenStream::new` sets the limit; it cannot be changed from outside the crate). The failure
//! surfaces as combine's "Unexpected end of input" or "Recursion limit exceeded", depending on
//! which alternative was being tried, and a `where` filter spends two levels (`{` and `[`) per
//! nested operator, so about 22 nested operators were the most a query could hold.
//! [`Scan::cuts`] lists the argument values at depths 32, 64, ... so that [`super::parse`] can
//! parse them as separate pieces and put them back together.
//!
//! The tokens are GraphQL's: strings (with escapes), block strings, comments and commas are
//! skipped; only brackets, names, `:`, `@`, `$` and `...` matter here. Malformed text is not
//! an error here: the parser reports it afterwards.

/// graphql-parser's own limit on open brackets.
pub(crate) const PARSER_DEPTH: usize = 50;

/// Argument values are cut into pieces at every multiple of this depth: a piece then nests at
/// most this deep, plus the two levels of the `{f(` wrapper it is parsed in, plus a short
/// uncut group (see [`MIN_CUT_LEN`]), which stays within [`PARSER_DEPTH`].
pub(crate) const CUT_EVERY: usize = 32;

/// Groups shorter than this are not cut: their placeholder would not fit in their place (a
/// placeholder takes the place of the text it stands for, so that positions stay true), and
/// they nest at most `MIN_CUT_LEN / 2` levels.
pub(crate) const MIN_CUT_LEN: usize = 16;

/// What the scan found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// The deepest nesting of brackets, braces and parentheses.
    pub max_depth: usize,
    /// Byte offset of the bracket that first reached `max_depth`.
    pub deepest_at: usize,
    /// Field selections: every field name in a selection set, aliases not counted apart (an
    /// aliased field counts once, with its whole sub-selection, for every alias).
    pub fields: usize,
    /// Argument values to parse separately, in text order.
    pub cuts: Vec<Cut>,
    /// List values of at least [`MIN_NUMBER_LIST`] numbers and nothing else (vectors):
    /// `text[start..end]`, brackets included, in text order.
    pub number_lists: Vec<(usize, usize)>,
}

/// Shorter number lists are left to the parser: lifting them out would not pay.
pub(crate) const MIN_NUMBER_LIST: usize = 16;

/// A bracketed argument value parsed on its own: `text[start..end]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cut {
    pub start: usize,
    pub end: usize,
    /// The enclosing cut, if any (its index in [`Scan::cuts`]).
    pub parent: Option<usize>,
}

/// What an open bracket started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// `{` of a selection set.
    Selection,
    /// `(` of field or directive arguments.
    Arguments,
    /// `(` of variable definitions, and anything inside them (types and default values).
    Variables,
    /// `[` or `{` inside arguments; `Some(i)` when it is cut `i`.
    Value(Option<usize>),
    /// A bracket where GraphQL allows none; the parser will say so.
    Stray,
}

/// A token that matters to the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Open(u8),
    Close,
    Name(usize, usize),
    Colon,
    At,
    Dollar,
    Spread,
    /// A number, `text[start..end]`.
    Number(usize, usize),
    /// Strings and anything else.
    Other,
}

/// Scans `text`. Linear in its length.
pub(crate) fn scan(text: &str) -> Scan {
    let mut scanner = Scanner {
        text: text.as_bytes(),
        at: 0,
    };
    let mut state = State::default();
    let mut prev = [Token::Other; 2];
    let mut next = scanner.next_token();
    while let Some((token, offset)) = next {
        next = scanner.next_token();
        let ahead = next.map(|(t, _)| t);
        state.step(text, token, offset, ahead, prev);
        prev = [prev[1], token];
    }
    if !state.open_cuts.is_empty() {
        // Unbalanced: nothing to cut, the parser reports the error.
        state.scan.cuts.clear();
    }
    if !state.stack.is_empty() {
        state.scan.number_lists.clear();
    }
    state.scan
}

#[derive(Default)]
struct State {
    stack: Vec<Frame>,
    scan: Scan,
    /// Indices of the cuts still open, innermost last.
    open_cuts: Vec<usize>,
    /// The innermost open list value while it holds only numbers: its `[` and how many.
    numbers: Option<(usize, usize)>,
}

impl State {
    fn step(
        &mut self,
        text: &str,
        token: Token,
        offset: usize,
        ahead: Option<Token>,
        prev: [Token; 2],
    ) {
        self.numbers = match (token, self.numbers) {
            (Token::Number(..), Some((start, n))) => Some((start, n + 1)),
            (Token::Close, Some((start, n))) if n >= MIN_NUMBER_LIST => {
                if matches!(self.top(), Some(Frame::Value(_))) {
                    self.scan.number_lists.push((start, offset + 1));
                }
                None
            }
            _ => None,
        };
        match token {
            Token::Open(bracket) => self.open(bracket, offset, ahead),
            Token::Close => self.close(offset),
            Token::Name(start, end) if self.top() == Some(Frame::Selection) => {
                if is_field(&text[start..end], ahead, prev) {
                    self.scan.fields += 1;
                }
            }
            Token::Name(..)
            | Token::Colon
            | Token::At
            | Token::Dollar
            | Token::Spread
            | Token::Number(..)
            | Token::Other => {}
        }
    }

    fn top(&self) -> Option<Frame> {
        self.stack.last().copied()
    }

    fn open(&mut self, bracket: u8, offset: usize, ahead: Option<Token>) {
        let frame = match (self.top(), bracket) {
            (_, b'(') if ahead == Some(Token::Dollar) => Frame::Variables,
            (None | Some(Frame::Selection), b'(') => Frame::Arguments,
            (None | Some(Frame::Selection), b'{') => Frame::Selection,
            (Some(Frame::Arguments | Frame::Value(_)), b'[' | b'{') => {
                if bracket == b'[' {
                    self.numbers = Some((offset, 0));
                }
                self.value(offset)
            }
            (Some(Frame::Variables), _) => Frame::Variables,
            _ => Frame::Stray,
        };
        self.stack.push(frame);
        if self.stack.len() > self.scan.max_depth {
            self.scan.max_depth = self.stack.len();
            self.scan.deepest_at = offset;
        }
    }

    /// A value bracket about to be pushed: a cut when its depth is a multiple of `CUT_EVERY`.
    fn value(&mut self, offset: usize) -> Frame {
        if !(self.stack.len() + 1).is_multiple_of(CUT_EVERY) {
            return Frame::Value(None);
        }
        let index = self.scan.cuts.len();
        self.scan.cuts.push(Cut {
            start: offset,
            end: offset,
            parent: self.open_cuts.last().copied(),
        });
        self.open_cuts.push(index);
        Frame::Value(Some(index))
    }

    fn close(&mut self, offset: usize) {
        let Some(Frame::Value(Some(index))) = self.stack.pop() else {
            return;
        };
        self.open_cuts.pop();
        let end = offset + 1;
        if end - self.scan.cuts[index].start < MIN_CUT_LEN {
            // Too short to hold a cut of its own, so it is the last cut: drop it.
            self.scan.cuts.truncate(index);
        } else {
            self.scan.cuts[index].end = end;
        }
    }
}

/// Whether a name in a selection set selects a field: not an alias (followed by `:`), not a
/// directive (after `@`), fragment spread (after `...`) or type condition (`... on Type`).
fn is_field(name: &str, ahead: Option<Token>, prev: [Token; 2]) -> bool {
    if ahead == Some(Token::Colon) || matches!(prev[1], Token::At | Token::Spread) {
        return false;
    }
    let after_on = matches!(prev, [Token::Spread, Token::Name(..)]);
    !(after_on || name == "on" && prev[1] == Token::Spread)
}

struct Scanner<'t> {
    text: &'t [u8],
    at: usize,
}

impl Scanner<'_> {
    /// The next token and its byte offset, skipping whitespace, commas and comments.
    fn next_token(&mut self) -> Option<(Token, usize)> {
        loop {
            let start = self.at;
            let byte = *self.text.get(start)?;
            self.at += 1;
            let token = match byte {
                b'(' | b'[' | b'{' => Token::Open(byte),
                b')' | b']' | b'}' => Token::Close,
                b':' => Token::Colon,
                b'@' => Token::At,
                b'$' => Token::Dollar,
                b'#' => {
                    self.skip_while(|b| b != b'\n' && b != b'\r');
                    continue;
                }
                b'"' => {
                    self.string();
                    Token::Other
                }
                b'.' if self.text[start..].starts_with(b"...") => {
                    self.at = start + 3;
                    Token::Spread
                }
                b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                    self.skip_while(|b| b == b'_' || b.is_ascii_alphanumeric());
                    Token::Name(start, self.at)
                }
                b'-' | b'0'..=b'9' => {
                    self.skip_while(|b| b == b'.' || b == b'+' || b == b'-' || is_word(b));
                    Token::Number(start, self.at)
                }
                b if b.is_ascii_whitespace() || b == b',' => continue,
                _ => Token::Other,
            };
            return Some((token, start));
        }
    }

    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        while self.text.get(self.at).is_some_and(|&b| keep(b)) {
            self.at += 1;
        }
    }

    /// Skips a string or block string whose opening `"` was just read.
    fn string(&mut self) {
        if self.text[self.at..].starts_with(b"\"\"") {
            self.at += 2;
            return self.block_string();
        }
        while let Some(&b) = self.text.get(self.at) {
            self.at += 1;
            match b {
                b'\\' => self.at += 1,
                b'"' | b'\n' | b'\r' => return,
                _ => {}
            }
        }
    }

    fn block_string(&mut self) {
        while self.at < self.text.len() {
            let rest = &self.text[self.at..];
            if rest.starts_with(b"\\\"\"\"") {
                self.at += 4;
            } else if rest.starts_with(b"\"\"\"") {
                self.at += 3;
                return;
            } else {
                self.at += 1;
            }
        }
    }
}

fn is_word(b: u8) -> bool {
    b == b'_' || b.is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_ignores_strings_comments_and_block_strings() {
        let s = scan("{a(x: \"{{{[[\", y: \"\"\"((\\\"\"\"[[\"\"\") # {{{{\n {b}}");
        assert_eq!(s.max_depth, 2);
        assert_eq!(s.fields, 2);
    }

    #[test]
    fn fields_count_every_alias_but_not_aliases_directives_or_fragments() {
        let s = scan("query Q($v: [Int] = [1]) {Get {a: Article @skip(if: false) {title ... on B {x} ...F} b: Article {title}}}");
        // Get, Article, title, x, Article, title
        assert_eq!(s.fields, 6);
    }

    #[test]
    fn deep_argument_values_are_cut_every_32_levels() {
        let deep = format!(
            "{{Get{{C(where: {}{})}}}}",
            "[".repeat(100),
            "]".repeat(100)
        );
        let s = scan(&deep);
        assert_eq!(s.max_depth, 103);
        // the value's first bracket is at offset 14 and depth 4: cuts at depths 32, 64 and 96
        let cuts: Vec<(usize, usize, Option<usize>)> =
            s.cuts.iter().map(|c| (c.start, c.end, c.parent)).collect();
        assert_eq!(
            cuts,
            vec![(42, 186, None), (74, 154, Some(0)), (106, 122, Some(1))]
        );
    }

    #[test]
    fn short_groups_are_not_cut() {
        let value = format!("{}[1]{}", "[".repeat(28), "]".repeat(28));
        let s = scan(&format!("{{Get{{C(where: {value}){{x}}}}}}"));
        assert_eq!(s.max_depth, 32);
        assert!(s.cuts.is_empty());
    }

    #[test]
    fn unclosed_cuts_cut_nothing() {
        let s = scan(&format!(
            "{{Get{{C(where: {}{}",
            "[".repeat(80),
            "]".repeat(40)
        ));
        assert!(s.cuts.is_empty());
    }

    #[test]
    fn variable_definitions_are_never_cut() {
        let types = format!("query($v: {}Int{}) {{a}}", "[".repeat(40), "]".repeat(40));
        assert!(scan(&types).cuts.is_empty());
    }
}
