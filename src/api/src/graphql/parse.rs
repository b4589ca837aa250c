//! The query text to a document, within the limits of one query: nesting ([`MAX_DEPTH`]) and
//! cost (the fields it selects, `GRAPHQL_MAX_QUERY_COST`), both checked by one linear scan
//! before anything is parsed, so that an oversized query costs no more than reading it.
//!
//! graphql-parser stops at 50 open brackets (see [`scan`]). Argument values nested deeper (a
//! `where` filter of more than ~22 nested operators) are parsed in pieces: every value bracket
//! at depth 32, 64, ... is replaced in the text by a placeholder variable `$__cutN` padded to
//! the same length (line breaks kept, so that positions in error messages stay true), each piece
//! is parsed on its own inside `{f(a: ...)}`, and the pieces are put back in place of their
//! placeholders, innermost first. Everything else (lexing strings and numbers, every error
//! message) is still graphql-parser's.

use graphql_parser::query::{Definition, Directive, OperationDefinition, Selection, SelectionSet};
use graphql_parser::Pos;

use super::error::GqlError;
use super::scan::{self, Cut, Scan, PARSER_DEPTH};
use super::value::Value;

/// The deepest nesting of brackets, braces and parentheses a query may have. A `where` filter
/// takes two levels per nested operator (`{` and `[`), so this leaves room for about 250
/// nested operators; the code that walks filters recursively stays far from the 2 MiB stack of
/// a runtime thread at this depth.
pub const MAX_DEPTH: usize = 512;

/// What `GRAPHQL_MAX_QUERY_COST` defaults to: the most field selections one query may make.
pub const DEFAULT_MAX_QUERY_COST: usize = 10_000;

/// The prefix of placeholder variables; a query that already contains it is never cut.
const PLACEHOLDER: &str = "__cut";

/// A parsed query.
pub(crate) type Document = graphql_parser::query::Document<'static, String>;

/// Parses `text` after checking its nesting and its cost against `max_cost`.
pub(crate) fn parse(text: &str, max_cost: usize) -> Result<Document, GqlError> {
    let text = &*super::numbers::separate(text);
    let scan = scan::scan(text);
    if scan.max_depth > MAX_DEPTH {
        return Err(too_deep(text, &scan));
    }
    if scan.fields > max_cost {
        return Err(too_costly(scan.fields, max_cost));
    }
    if text.contains(PLACEHOLDER) {
        return parse_whole(text);
    }
    if scan.max_depth <= PARSER_DEPTH || scan.cuts.is_empty() {
        return parse_lifting_number_lists(text, &scan.number_lists);
    }
    Pieces::new(text, &scan.cuts).parse()
}

/// Parses `text` with its long lists of floats (vectors) read here instead of by graphql-parser,
/// whose combinators take about a microsecond per number: a 1536-dimensional `nearVector`
/// answered 1.2-1.9 ms slower than the same search by `nearObject` (bench/served, issue 13).
/// Each list is replaced by a placeholder variable padded to its length,
/// the rest is parsed as usual, and the lists are put back as the same `Float` values
/// graphql-parser makes (`str::parse::<f64>` of each token). A list with anything but GraphQL
/// float literals in it (an integer, a comment, a malformed number) is left to graphql-parser,
/// so every value and every error stays what it was.
fn parse_lifting_number_lists(text: &str, lists: &[(usize, usize)]) -> Result<Document, GqlError> {
    let mut lifted = Vec::new();
    let mut hollow = String::new();
    let mut at = 0;
    for &(start, end) in lists {
        let Some(values) = float_list(&text[start..end]) else {
            continue;
        };
        if hollow.capacity() == 0 {
            hollow.reserve(text.len());
        }
        hollow.push_str(&text[at..start]);
        placeholder(&mut hollow, lifted.len(), &text[start..end]);
        lifted.push(Some(Value::List(
            values.into_iter().map(Value::Float).collect(),
        )));
        at = end;
    }
    if lifted.is_empty() {
        return parse_whole(text);
    }
    hollow.push_str(&text[at..]);
    let mut doc = parse_whole(&hollow)?;
    fill_document(&mut doc, &mut lifted);
    Ok(doc)
}

/// The numbers of a `[...]` list whose every item is a GraphQL float literal.
fn float_list(list: &str) -> Option<Vec<f64>> {
    let inner = list.strip_prefix('[')?.strip_suffix(']')?;
    inner
        .split(|c: char| c == ',' || c.is_ascii_whitespace() || c == '\u{feff}')
        .filter(|token| !token.is_empty())
        .map(|token| {
            is_float_literal(token)
                .then(|| token.parse().ok())
                .flatten()
        })
        .collect()
}

/// GraphQL's `FloatValue`: `-? (0 | [1-9][0-9]*)` then a fraction `.[0-9]+`, an exponent
/// `[eE][+-]?[0-9]+`, or both; and only what graphql-parser also takes as one.
fn is_float_literal(token: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = token.strip_prefix('-').unwrap_or(token);
    let int = digits(rest);
    if int == 0 || (int > 1 && rest.starts_with('0')) {
        return false;
    }
    let mut rest = &rest[int..];
    let mut float = false;
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = digits(fraction);
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
        float = true;
    }
    if let Some(exponent) = rest.strip_prefix(['e', 'E']) {
        let signed = exponent.starts_with(['+', '-']);
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        let n = digits(exponent);
        // graphql-parser 0.4 refuses an unsigned exponent that starts with 0 or 9 ("unsupported
        // float"); such a list is left to it, so that it still refuses it.
        if n == 0 || (!signed && exponent.starts_with(['0', '9'])) {
            return false;
        }
        rest = &exponent[n..];
        float = true;
    }
    float && rest.is_empty()
}

fn parse_whole(text: &str) -> Result<Document, GqlError> {
    match graphql_parser::query::parse_query::<String>(text) {
        Ok(doc) => Ok(doc.into_static()),
        Err(e) => Err(parse_error(&e, |pos| pos)),
    }
}

/// A syntax error; past the parser's depth limit its message ("Unexpected end of input ...
/// Recursion limit exceeded") would mislead, so the limit is named first.
fn parse_error(e: &graphql_parser::query::ParseError, map: impl Fn(Pos) -> Pos) -> GqlError {
    let mut error = GqlError::from_parse(e);
    if e.to_string().contains("Recursion limit exceeded") {
        error.message = format!(
            "query nested too deep: selection sets, argument lists and variable definitions may \
             nest at most {PARSER_DEPTH} levels of brackets, braces and parentheses (argument \
             values up to {MAX_DEPTH}); the parser stopped with: {}",
            error.message
        );
    }
    error.locations = error.locations.into_iter().map(map).collect();
    error
}

fn too_deep(text: &str, scan: &Scan) -> GqlError {
    GqlError::new(
        format!(
            "query nested too deep: brackets, braces and parentheses nest {} levels deep, the \
             limit is {MAX_DEPTH} (a where filter takes two levels per nested operator, so at \
             most about {} nested operators)",
            scan.max_depth,
            MAX_DEPTH / 2 - 6
        ),
        position(text, scan.deepest_at),
    )
}

fn too_costly(cost: usize, max_cost: usize) -> GqlError {
    GqlError::new(
        format!(
            "query too costly: it selects {cost} fields, the limit is {max_cost} \
             (GRAPHQL_MAX_QUERY_COST; every field counts once for every alias it is selected \
             under): select fewer fields or aliases, or split the query"
        ),
        Pos { line: 1, column: 1 },
    )
}

/// The line and column of a byte offset, counted as graphql-parser counts them (a tab is 8).
pub(crate) fn position(text: &str, offset: usize) -> Pos {
    let mut pos = Pos { line: 1, column: 1 };
    let before = text.get(..offset).unwrap_or(text);
    for c in before.chars() {
        match c {
            '\n' => {
                pos.line += 1;
                pos.column = 1;
            }
            '\t' => pos.column += 8,
            _ => pos.column += 1,
        }
    }
    pos
}

/// A query cut into a main text and one piece per cut.
struct Pieces<'t> {
    text: &'t str,
    cuts: &'t [Cut],
    /// The direct children of each cut; the last entry holds those of the main text.
    children: Vec<Vec<usize>>,
}

impl<'t> Pieces<'t> {
    fn new(text: &'t str, cuts: &'t [Cut]) -> Self {
        let mut children = vec![Vec::new(); cuts.len() + 1];
        for (i, cut) in cuts.iter().enumerate() {
            children[cut.parent.unwrap_or(cuts.len())].push(i);
        }
        Pieces {
            text,
            cuts,
            children,
        }
    }

    fn parse(&self) -> Result<Document, GqlError> {
        let mut resolved: Vec<Option<Value>> = vec![None; self.cuts.len()];
        // children come after their parent in text order: resolve from the last one back
        for i in (0..self.cuts.len()).rev() {
            let mut value = self.piece(i)?;
            fill(&mut value, &mut resolved);
            resolved[i] = Some(value);
        }
        let main = self.hollowed(0, self.text.len(), &self.children[self.cuts.len()]);
        let mut doc = parse_whole(&main)?;
        fill_document(&mut doc, &mut resolved);
        Ok(doc)
    }

    /// Parses cut `i` (its own cuts still placeholders) as an argument value.
    fn piece(&self, i: usize) -> Result<Value, GqlError> {
        let Cut { start, end, .. } = self.cuts[i];
        let wrapped = format!("{{f(a:{})}}", self.hollowed(start, end, &self.children[i]));
        let origin = position(self.text, start);
        // `{f(a:` is five columns of the first line
        let map = |pos: Pos| match pos.line {
            1 => Pos {
                line: origin.line,
                column: (origin.column + pos.column).saturating_sub(6).max(1),
            },
            n => Pos {
                line: origin.line + n - 1,
                column: pos.column,
            },
        };
        let doc = graphql_parser::query::parse_query::<String>(&wrapped)
            .map_err(|e| parse_error(&e, map))?;
        let value = match doc.definitions.first() {
            Some(Definition::Operation(OperationDefinition::SelectionSet(set))) => {
                match set.items.first() {
                    Some(Selection::Field(f)) => f.arguments.first().map(|(_, v)| v.into_static()),
                    _ => None,
                }
            }
            _ => None,
        };
        // A cut is one balanced bracket group, so its piece is one value.
        value.ok_or_else(|| GqlError::new("Syntax Error: invalid argument value", map(origin)))
    }

    /// `text[start..end]` with each of `cuts` replaced by its placeholder.
    fn hollowed(&self, start: usize, end: usize, cuts: &[usize]) -> String {
        let mut out = String::with_capacity(end - start);
        let mut at = start;
        for &c in cuts {
            let cut = &self.cuts[c];
            out.push_str(&self.text[at..cut.start]);
            placeholder(&mut out, c, &self.text[cut.start..cut.end]);
            at = cut.end;
        }
        out.push_str(&self.text[at..end]);
        out
    }
}

/// Writes `$__cutN` for `replaced`, then keeps its line breaks and tabs and turns its other
/// characters into spaces, so that whatever follows keeps its line and column.
fn placeholder(out: &mut String, index: usize, replaced: &str) {
    let name = format!("${PLACEHOLDER}{index}");
    let mut covered = name.chars().count();
    out.push_str(&name);
    for c in replaced.chars() {
        match c {
            '\n' | '\r' => out.push(c),
            _ if covered > 0 => covered -= 1,
            '\t' => out.push('\t'),
            _ => out.push(' '),
        }
    }
}

/// The cut index a placeholder variable stands for.
fn placeholder_index(name: &str) -> Option<usize> {
    name.strip_prefix(PLACEHOLDER)?.parse().ok()
}

/// Puts resolved pieces in place of their placeholders. The pieces put in are not walked, so
/// the walk goes no deeper than one piece.
fn fill(value: &mut Value, resolved: &mut [Option<Value>]) {
    match value {
        Value::Variable(name) => {
            let piece = placeholder_index(name).and_then(|i| resolved.get_mut(i)?.take());
            if let Some(piece) = piece {
                *value = piece;
            }
        }
        Value::List(items) => items.iter_mut().for_each(|v| fill(v, resolved)),
        Value::Object(map) => map.values_mut().for_each(|v| fill(v, resolved)),
        Value::Int(_)
        | Value::Float(_)
        | Value::String(_)
        | Value::Boolean(_)
        | Value::Null
        | Value::Enum(_) => {}
    }
}

fn fill_document(doc: &mut Document, resolved: &mut [Option<Value>]) {
    for definition in &mut doc.definitions {
        let set = match definition {
            Definition::Fragment(f) => &mut f.selection_set,
            Definition::Operation(OperationDefinition::SelectionSet(set)) => set,
            Definition::Operation(OperationDefinition::Query(q)) => &mut q.selection_set,
            Definition::Operation(OperationDefinition::Mutation(m)) => &mut m.selection_set,
            Definition::Operation(OperationDefinition::Subscription(s)) => &mut s.selection_set,
        };
        fill_selection(set, resolved);
    }
}

fn fill_selection(set: &mut SelectionSet<'static, String>, resolved: &mut [Option<Value>]) {
    for item in &mut set.items {
        match item {
            Selection::Field(field) => {
                for (_, v) in &mut field.arguments {
                    fill(v, resolved);
                }
                fill_directives(&mut field.directives, resolved);
                fill_selection(&mut field.selection_set, resolved);
            }
            Selection::InlineFragment(f) => {
                fill_directives(&mut f.directives, resolved);
                fill_selection(&mut f.selection_set, resolved);
            }
            Selection::FragmentSpread(f) => fill_directives(&mut f.directives, resolved),
        }
    }
}

fn fill_directives(directives: &mut [Directive<'static, String>], resolved: &mut [Option<Value>]) {
    for d in directives {
        for (_, v) in &mut d.arguments {
            fill(v, resolved);
        }
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
