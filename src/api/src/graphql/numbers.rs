//! graphql-go's lexer ends a number at its last digit and starts a new token right after it,
//! so `objectLimit: 100hybrid: {...}` is the Int `100` and the name `hybrid` there; the v4
//! client 4.24.1 writes exactly that for `aggregate.hybrid(object_limit=...)`. graphql-parser
//! refuses the glued form, so a space is put between such a number and the name that follows
//! it before parsing. Strings, block strings, comments and names are left as they are.

use std::borrow::Cow;

/// `text` with a space after every number that a name follows directly.
pub(crate) fn separate(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut glued = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' if bytes[i..].starts_with(b"\"\"\"") => i = block_string_end(bytes, i + 3),
            b'"' => i = string_end(bytes, i + 1),
            b'#' => i = line_end(bytes, i),
            b if b == b'_' || b.is_ascii_alphabetic() => i = word_end(bytes, i),
            b if b == b'-' || b.is_ascii_digit() => {
                i = number_end(bytes, i);
                if i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphabetic()) {
                    glued.push(i);
                }
            }
            _ => i += 1,
        }
    }
    if glued.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + glued.len());
    let mut from = 0;
    for at in glued {
        out.push_str(&text[from..at]);
        out.push(' ');
        from = at;
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

fn word_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
        i += 1;
    }
    i
}

/// `-?digits(.digits)?([eE][+-]?digits)?`, as far as it goes.
fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    if bytes[i] == b'-' {
        i += 1;
    }
    i = digits(i);
    if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
        i = digits(i + 1);
    }
    if i < bytes.len() && matches!(bytes[i], b'e' | b'E') {
        let sign = usize::from(i + 1 < bytes.len() && matches!(bytes[i + 1], b'+' | b'-'));
        if i + 1 + sign < bytes.len() && bytes[i + 1 + sign].is_ascii_digit() {
            i = digits(i + 1 + sign);
        }
    }
    i
}

fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn block_string_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        if bytes[i..].starts_with(b"\\\"\"\"") {
            i += 4;
        } else if bytes[i..].starts_with(b"\"\"\"") {
            return i + 3;
        } else {
            i += 1;
        }
    }
    bytes.len()
}

fn line_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i] != b'\n' {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::separate;

    #[test]
    fn a_name_glued_to_a_number_is_split_off() {
        assert_eq!(
            separate("{A{C(objectLimit: 100hybrid:{query: \"x\"}){meta{count}}}}"),
            "{A{C(objectLimit: 100 hybrid:{query: \"x\"}){meta{count}}}}"
        );
        assert_eq!(separate("f(a: -1.5e3b: 2)"), "f(a: -1.5e3 b: 2)");
    }

    #[test]
    fn names_strings_comments_and_exponents_stay_as_they_are() {
        for text in [
            "{Get{C2x(limit: 10){a1b}}}",
            "{Get{C(where: {valueText: \"100hybrid\"}){a}}}",
            "{Get{C(where: {valueText: \"\"\"3abc \\\"\"\" 4x\"\"\"}){a}}} # 5y",
            "f(a: 1e5, b: 2.5E-3)",
        ] {
            assert_eq!(separate(text), text);
        }
    }
}
