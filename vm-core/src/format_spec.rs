//! The formatting engine behind Kai's `format` word: it parses a `std::fmt`-style template and
//! renders it against arguments the caller has already evaluated. It knows no VM types: the
//! caller turns values into [`FormatArg`]s (ints and floats keep their type so numeric specs
//! apply, anything else arrives as its display form) and maps [`FormatError`] onto its errors.
//!
//! The template language is Rust's: `{{` and `}}` are literal braces, `{}` takes the next
//! argument, `{N}` argument `N` (without moving the `{}` counter), and after a `:` comes a spec
//! `[[fill]align][sign]['#']['0'][width]['.' precision][type]` with the types `x X b o e E`.
//! Where Rust ignores a spec that does not fit its argument, Kai reports it, so a typo in a
//! template shows up instead of printing something else:
//!
//! - A float with neither precision nor type prints exactly as Kai displays it
//!   ([`registry::write_float`]: `1.0`, `1e21`, `nan`), so `{}` agrees with `print`. Whatever
//!   the spec, non-finite floats are spelled as Kai displays them: `nan`, `inf`, `-inf`.
//! - Numbers align right and text aligns left, as in Rust. `x X b o` print an int's two's
//!   complement, as Rust does for `i64`; `e E` of an int are Rust's exact integer forms.
//! - The `0` flag pads finite numbers with zeros after the sign and the `#` prefix, overriding
//!   fill and alignment, as in Rust. `nan` and `inf` ignore it (zeros in front of them would
//!   read as digits) and take the fill and alignment instead.
//! - Type errors where Rust silently ignores the spec: a precision on an int (unless the type
//!   is `e` or `E`); `+`, `0` or any type on text. `x b o` of a float are type errors, as in Rust.
//! - `#` only changes `x X b o` (prefixes `0x`, `0b`, `0o`) and `-` changes nothing, as in Rust.
//! - Width and precision count characters (code points), not bytes, and above 10,000 they are
//!   spec errors, so a short template cannot ask for gigabytes.
//! - A placeholder ends at its first `}` and may not contain `{`, so neither brace can be a
//!   fill. Named arguments, `width$`, `.*` and `?` are not supported.
//! - Every argument must be used, as in Rust, so a miscounted template is an error.
//!
//! Every error message starts with `'format': ` and quotes the placeholder at fault.

use std::fmt;
use std::iter::repeat_n;

/// The largest width or precision a spec may ask for.
const MAX_SIZE: usize = 10_000;
/// The most characters of template an error message quotes, so a huge template does not make
/// a huge message.
const MAX_QUOTE: usize = 40;

/// One argument to format: a number keeps its type so numeric specs apply; anything else
/// arrives as its display form already rendered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum FormatArg<'a> {
    Int(i64),
    Float(f64),
    Text(&'a str),
}

/// Why a format failed. Each variant carries the whole message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FormatError {
    /// More placeholders than arguments, an index past the arguments, or arguments left unused.
    Arity(String),
    /// A placeholder or spec that cannot be parsed or is not supported, or an unmatched `{` or `}`.
    Spec(String),
    /// A spec that does not apply to its argument's type, such as `{:x}` of a float.
    Type(String),
}

impl FormatError {
    /// The message, starting with `'format': `.
    pub(crate) fn message(&self) -> &str {
        match self {
            FormatError::Arity(message) | FormatError::Spec(message) | FormatError::Type(message) => message,
        }
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Renders `template` with `args`. Never panics, whatever the template.
pub(crate) fn render(template: &str, args: &[FormatArg<'_>]) -> Result<String, FormatError> {
    let mut out = String::with_capacity(template.len());
    let mut used = vec![false; args.len()];
    let mut next = 0;
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '}']) {
        out.push_str(&rest[..pos]);
        let brace = &rest[pos..];
        if let Some(after) = brace.strip_prefix("{{") {
            out.push('{');
            rest = after;
            continue;
        }
        if let Some(after) = brace.strip_prefix("}}") {
            out.push('}');
            rest = after;
            continue;
        }
        if brace.starts_with('}') {
            let at = template.len() - brace.len();
            let column = template[..at].chars().count();
            return Err(FormatError::Spec(format!(
                "'format': unmatched '}}' at character {column} of {} (write '}}}}' for a literal brace)",
                quote(template)
            )));
        }
        let Some(end) = brace.find('}') else {
            return Err(FormatError::Spec(format!("'format': unclosed '{{' in {}", quote(brace))));
        };
        let placeholder = &brace[..=end];
        rest = &brace[end + 1..];
        let (index, spec) = parse_placeholder(placeholder)?;
        let index = index.unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        let (Some(&arg), Some(seen)) = (args.get(index), used.get_mut(index)) else {
            return Err(FormatError::Arity(format!(
                "'format': {} needs argument index {index}, but {}",
                quote(placeholder),
                given(args.len())
            )));
        };
        *seen = true;
        spec.write(placeholder, arg, &mut out)?;
    }
    out.push_str(rest);
    if let Some(unused) = used.iter().position(|&seen| !seen) {
        return Err(FormatError::Arity(format!(
            "'format': {} given, but argument index {unused} is never used in {}",
            registry::counted(args.len(), "argument"),
            quote(template)
        )));
    }
    Ok(out)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Plain,
    LowerHex,
    UpperHex,
    Binary,
    Octal,
    LowerExp,
    UpperExp,
}

impl Kind {
    /// The types that print an int's bits, which only an int has.
    fn is_radix(self) -> bool {
        matches!(self, Kind::LowerHex | Kind::UpperHex | Kind::Binary | Kind::Octal)
    }

    fn is_exp(self) -> bool {
        matches!(self, Kind::LowerExp | Kind::UpperExp)
    }
}

/// A parsed spec: what follows the `:` of a placeholder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Spec {
    fill: char,
    /// `None` is the argument's default: right for numbers, left for text.
    align: Option<Align>,
    plus: bool,
    alternate: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
    kind: Kind,
}

impl Default for Spec {
    fn default() -> Spec {
        Spec {
            fill: ' ',
            align: None,
            plus: false,
            alternate: false,
            zero: false,
            width: 0,
            precision: None,
            kind: Kind::Plain,
        }
    }
}

/// Splits a placeholder (`{` through `}`) into its argument index, if it names one, and spec.
fn parse_placeholder(placeholder: &str) -> Result<(Option<usize>, Spec), FormatError> {
    let body = placeholder.strip_prefix('{').and_then(|body| body.strip_suffix('}')).unwrap_or(placeholder);
    if body.contains('{') {
        return Err(FormatError::Spec(format!(
            "'format': '{{' inside the placeholder {} (write '{{{{' for a literal brace)",
            quote(placeholder)
        )));
    }
    let (index, spec) = body.split_once(':').unwrap_or((body, ""));
    let index = if index.is_empty() {
        None
    } else if index.bytes().all(|b| b.is_ascii_digit()) {
        // An index too big for usize is past any argument list; saturating says as much.
        Some(index.bytes().fold(0usize, |n, d| n.saturating_mul(10).saturating_add(usize::from(d - b'0'))))
    } else {
        return Err(FormatError::Spec(format!(
            "'format': unsupported placeholder {} (use {{}}, {{N}}, {{:spec}} or {{N:spec}})",
            quote(placeholder)
        )));
    };
    Ok((index, parse_spec(placeholder, spec)?))
}

fn parse_spec(placeholder: &str, text: &str) -> Result<Spec, FormatError> {
    let unsupported = || FormatError::Spec(format!("'format': unsupported spec {}", quote(placeholder)));
    let mut spec = Spec::default();

    // A fill is any character followed by an alignment; otherwise an alignment may stand alone.
    let mut rest = text;
    let mut chars = text.chars();
    if let (Some(fill), Some(align)) = (chars.next(), chars.next().and_then(align_of)) {
        spec.fill = fill;
        spec.align = Some(align);
        rest = chars.as_str();
    } else if let Some(align) = text.chars().next().and_then(align_of) {
        spec.align = Some(align);
        rest = &text[1..];
    }

    if let Some(after) = rest.strip_prefix('+') {
        spec.plus = true;
        rest = after;
    } else if let Some(after) = rest.strip_prefix('-') {
        rest = after;
    }
    if let Some(after) = rest.strip_prefix('#') {
        spec.alternate = true;
        rest = after;
    }
    if let Some(after) = rest.strip_prefix('0') {
        spec.zero = true;
        rest = after;
    }
    let (width, after) = split_digits(rest);
    spec.width = size(placeholder, "width", width)?;
    rest = after;
    if let Some(after) = rest.strip_prefix('.') {
        let (precision, after) = split_digits(after);
        if precision.is_empty() {
            return Err(unsupported());
        }
        spec.precision = Some(size(placeholder, "precision", precision)?);
        rest = after;
    }
    spec.kind = match rest {
        "" => Kind::Plain,
        "x" => Kind::LowerHex,
        "X" => Kind::UpperHex,
        "b" => Kind::Binary,
        "o" => Kind::Octal,
        "e" => Kind::LowerExp,
        "E" => Kind::UpperExp,
        _ => return Err(unsupported()),
    };
    Ok(spec)
}

fn align_of(c: char) -> Option<Align> {
    match c {
        '<' => Some(Align::Left),
        '^' => Some(Align::Center),
        '>' => Some(Align::Right),
        _ => None,
    }
}

/// Splits off the leading ASCII digits of `text`.
fn split_digits(text: &str) -> (&str, &str) {
    let len = text.bytes().take_while(u8::is_ascii_digit).count();
    // The digits are ASCII, so `len` is a character boundary.
    text.split_at(len)
}

/// Reads a width or precision; no digits is zero.
fn size(placeholder: &str, what: &str, digits: &str) -> Result<usize, FormatError> {
    // Stopping at the cap keeps the arithmetic far from overflow.
    digits.bytes().try_fold(0usize, |n, d| Some(n * 10 + usize::from(d - b'0')).filter(|&n| n <= MAX_SIZE)).ok_or_else(
        || FormatError::Spec(format!("'format': the {what} in {} is over the limit of {MAX_SIZE}", quote(placeholder))),
    )
}

impl Spec {
    fn write(&self, placeholder: &str, arg: FormatArg<'_>, out: &mut String) -> Result<(), FormatError> {
        match arg {
            FormatArg::Int(n) => self.write_int(placeholder, n, out),
            FormatArg::Float(f) => self.write_float(placeholder, f, out),
            FormatArg::Text(text) => self.write_text(placeholder, text, out),
        }
    }

    fn write_int(&self, placeholder: &str, n: i64, out: &mut String) -> Result<(), FormatError> {
        if self.precision.is_some() && !self.kind.is_exp() {
            return Err(mismatch(placeholder, "has a precision, which needs a float or text", "an int"));
        }
        let magnitude = n.unsigned_abs();
        let digits = match (self.kind, self.precision) {
            (Kind::Plain, _) => magnitude.to_string(),
            // Rust prints an i64's two's complement for these; so does Kai.
            (Kind::LowerHex, _) => format!("{n:x}"),
            (Kind::UpperHex, _) => format!("{n:X}"),
            (Kind::Binary, _) => format!("{n:b}"),
            (Kind::Octal, _) => format!("{n:o}"),
            (Kind::LowerExp, None) => format!("{magnitude:e}"),
            (Kind::LowerExp, Some(p)) => format!("{magnitude:.p$e}"),
            (Kind::UpperExp, None) => format!("{magnitude:E}"),
            (Kind::UpperExp, Some(p)) => format!("{magnitude:.p$E}"),
        };
        // Two's complement digits carry no sign of their own.
        let negative = n < 0 && !self.kind.is_radix();
        let prefix = match self.kind {
            _ if !self.alternate => "",
            Kind::LowerHex | Kind::UpperHex => "0x",
            Kind::Binary => "0b",
            Kind::Octal => "0o",
            _ => "",
        };
        self.write_number(self.sign(negative), prefix, &digits, out);
        Ok(())
    }

    fn write_float(&self, placeholder: &str, f: f64, out: &mut String) -> Result<(), FormatError> {
        if self.kind.is_radix() {
            return Err(mismatch(placeholder, "needs an int", "a float"));
        }
        if f.is_nan() {
            self.write_padded(&["nan"], Align::Right, out);
            return Ok(());
        }
        if f.is_infinite() {
            self.write_padded(&[self.sign(f < 0.0), "inf"], Align::Right, out);
            return Ok(());
        }
        let magnitude = f.abs();
        let digits = match (self.kind, self.precision) {
            (Kind::LowerExp, None) => format!("{magnitude:e}"),
            (Kind::LowerExp, Some(p)) => format!("{magnitude:.p$e}"),
            (Kind::UpperExp, None) => format!("{magnitude:E}"),
            (Kind::UpperExp, Some(p)) => format!("{magnitude:.p$E}"),
            (_, Some(p)) => format!("{magnitude:.p$}"),
            (_, None) => {
                let mut digits = String::new();
                registry::write_float(magnitude, &mut digits);
                digits
            }
        };
        // The sign bit, not `f < 0.0`, so -0.0 keeps its sign as it does in Kai's display.
        self.write_number(self.sign(f.is_sign_negative()), "", &digits, out);
        Ok(())
    }

    fn write_text(&self, placeholder: &str, text: &str, out: &mut String) -> Result<(), FormatError> {
        if self.kind.is_radix() {
            return Err(mismatch(placeholder, "needs an int", "text"));
        }
        if self.kind.is_exp() || self.plus || self.zero {
            return Err(mismatch(placeholder, "needs a number", "text"));
        }
        let text = match self.precision.and_then(|p| text.char_indices().nth(p)) {
            Some((end, _)) => &text[..end],
            None => text,
        };
        self.write_padded(&[text], Align::Left, out);
        Ok(())
    }

    fn sign(&self, negative: bool) -> &'static str {
        match (negative, self.plus) {
            (true, _) => "-",
            (false, true) => "+",
            (false, false) => "",
        }
    }

    /// Writes a finite number: the `0` flag puts zeros between sign and prefix and the digits.
    fn write_number(&self, sign: &str, prefix: &str, digits: &str, out: &mut String) {
        if self.zero {
            let len = sign.len() + prefix.len() + digits.chars().count();
            out.push_str(sign);
            out.push_str(prefix);
            out.extend(repeat_n('0', self.width.saturating_sub(len)));
            out.push_str(digits);
        } else {
            self.write_padded(&[sign, prefix, digits], Align::Right, out);
        }
    }

    /// Writes `parts` with fill around them to reach the width.
    fn write_padded(&self, parts: &[&str], default: Align, out: &mut String) {
        let len: usize = parts.iter().map(|part| part.chars().count()).sum();
        let pad = self.width.saturating_sub(len);
        // As in Rust, centring puts the odd fill character on the right.
        let (before, after) = match self.align.unwrap_or(default) {
            Align::Left => (0, pad),
            Align::Center => (pad / 2, pad - pad / 2),
            Align::Right => (pad, 0),
        };
        out.extend(repeat_n(self.fill, before));
        parts.iter().for_each(|part| out.push_str(part));
        out.extend(repeat_n(self.fill, after));
    }
}

fn mismatch(placeholder: &str, needs: &str, got: &str) -> FormatError {
    FormatError::Type(format!("'format': {} {needs}, got {got}", shorten(placeholder)))
}

/// `text` in quotes, shortened for an error message.
fn quote(text: &str) -> String {
    format!("'{}'", shorten(text))
}

fn shorten(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTE) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_string(),
    }
}

fn given(count: usize) -> String {
    match count {
        0 => "no arguments were given".to_string(),
        1 => "only 1 argument was given".to_string(),
        n => format!("only {n} arguments were given"),
    }
}

#[cfg(test)]
mod tests {
    use super::FormatArg::{Float, Int, Text};
    use super::*;

    fn ok(template: &str, args: &[FormatArg<'_>]) -> String {
        match render(template, args) {
            Ok(out) => out,
            Err(error) => panic!("{template:?} failed: {error}"),
        }
    }

    fn err(template: &str, args: &[FormatArg<'_>]) -> FormatError {
        match render(template, args) {
            Ok(out) => panic!("{template:?} rendered {out:?} instead of failing"),
            Err(error) => {
                assert!(error.message().starts_with("'format': "), "{error}");
                error
            }
        }
    }

    fn spec_error(template: &str, args: &[FormatArg<'_>], quoted: &str) {
        match err(template, args) {
            FormatError::Spec(message) => assert!(message.contains(quoted), "{message}"),
            other => panic!("{template:?}: expected a spec error, got {other:?}"),
        }
    }

    fn type_error(template: &str, arg: FormatArg<'_>, expected: &str) {
        match err(template, &[arg]) {
            FormatError::Type(message) => assert_eq!(message, expected),
            other => panic!("{template:?}: expected a type error, got {other:?}"),
        }
    }

    fn arity_error(template: &str, args: &[FormatArg<'_>], expected: &str) {
        match err(template, args) {
            FormatError::Arity(message) => assert_eq!(message, expected),
            other => panic!("{template:?}: expected an arity error, got {other:?}"),
        }
    }

    #[test]
    fn plain_placeholders_take_arguments_in_order() {
        assert_eq!(ok("", &[]), "");
        assert_eq!(ok("no placeholders", &[]), "no placeholders");
        assert_eq!(ok("{} + {} = {}", &[Int(1), Int(2), Text("three")]), "1 + 2 = three");
        assert_eq!(ok("{}{}", &[Text("a"), Text("b")]), "ab");
        assert_eq!(ok("{:}", &[Int(-7)]), "-7");
        assert_eq!(ok("{}", &[Int(i64::MIN)]), "-9223372036854775808");
        assert_eq!(ok("é{}ü", &[Text("→")]), "é→ü");
    }

    #[test]
    fn positional_placeholders_do_not_move_the_counter() {
        assert_eq!(ok("{1} {0}", &[Text("a"), Text("b")]), "b a");
        assert_eq!(ok("{0}{0}{0}", &[Int(7)]), "777");
        // As in Rust, `{}` after `{1}` is still argument 0.
        assert_eq!(ok("{1} {} {}", &[Text("a"), Text("b")]), "b a b");
        assert_eq!(ok("{1:>3}|{0:<3}|", &[Int(1), Int(2)]), "  2|1  |");
        assert_eq!(ok("{01}{0}", &[Int(1), Int(2)]), "21");
    }

    #[test]
    fn doubled_braces_are_literal() {
        assert_eq!(ok("{{}}", &[]), "{}");
        assert_eq!(ok("{{{}}}", &[Int(5)]), "{5}");
        assert_eq!(ok("a {{b}} c", &[]), "a {b} c");
        assert_eq!(ok("}}{{", &[]), "}{");
    }

    #[test]
    fn width_fill_and_alignment_of_text() {
        assert_eq!(ok("[{:5}]", &[Text("ab")]), "[ab   ]");
        assert_eq!(ok("[{:<5}]", &[Text("ab")]), "[ab   ]");
        assert_eq!(ok("[{:>5}]", &[Text("ab")]), "[   ab]");
        assert_eq!(ok("[{:^5}]", &[Text("ab")]), "[ ab  ]");
        assert_eq!(ok("[{:*^6}]", &[Text("ab")]), "[**ab**]");
        assert_eq!(ok("[{:-<4}]", &[Text("ab")]), "[ab--]");
        assert_eq!(ok("[{:<<4}]", &[Text("ab")]), "[ab<<]");
        assert_eq!(ok("[{:1}]", &[Text("long")]), "[long]");
        assert_eq!(ok("[{:0<1}]", &[Text("")]), "[0]", "a 0 before the alignment is a fill");
    }

    #[test]
    fn width_fill_and_alignment_of_numbers() {
        assert_eq!(ok("[{:5}]", &[Int(42)]), "[   42]");
        assert_eq!(ok("[{:<5}]", &[Int(42)]), "[42   ]");
        assert_eq!(ok("[{:^5}]", &[Int(42)]), "[ 42  ]");
        assert_eq!(ok("[{:_>6}]", &[Int(-42)]), "[___-42]");
        assert_eq!(ok("[{:6}]", &[Float(1.5)]), "[   1.5]");
        assert_eq!(ok("[{:x<6}]", &[Float(-1.5)]), "[-1.5xx]");
        assert_eq!(ok("[{:>6}]", &[Float(f64::NAN)]), "[   nan]");
        assert_eq!(ok("[{:<5}]", &[Float(f64::NEG_INFINITY)]), "[-inf ]");
    }

    #[test]
    fn signs() {
        assert_eq!(ok("{:+}", &[Int(5)]), "+5");
        assert_eq!(ok("{:+}", &[Int(-5)]), "-5");
        assert_eq!(ok("{:+}", &[Int(0)]), "+0");
        assert_eq!(ok("{:+}", &[Float(1.5)]), "+1.5");
        assert_eq!(ok("{:+.1}", &[Float(-0.0)]), "-0.0");
        assert_eq!(ok("{:+}", &[Float(f64::INFINITY)]), "+inf");
        assert_eq!(ok("{:+}", &[Float(f64::NAN)]), "nan");
        assert_eq!(ok("{:-}", &[Int(5)]), "5");
        assert_eq!(ok("{:-}", &[Text("t")]), "t");
        assert_eq!(ok("{:>+5}", &[Int(5)]), "   +5");
    }

    #[test]
    fn zero_padding_goes_after_sign_and_prefix() {
        assert_eq!(ok("{:05}", &[Int(42)]), "00042");
        assert_eq!(ok("{:05}", &[Int(-42)]), "-0042");
        assert_eq!(ok("{:+05}", &[Int(42)]), "+0042");
        assert_eq!(ok("{:08.3}", &[Float(-1.5)]), "-001.500");
        assert_eq!(ok("{:06}", &[Float(2.0)]), "0002.0");
        assert_eq!(ok("{:#010x}", &[Int(255)]), "0x000000ff");
        assert_eq!(ok("{:#06b}", &[Int(5)]), "0b0101");
        // `0` overrides fill and alignment, as in Rust.
        assert_eq!(ok("{:*<05}", &[Int(7)]), "00007");
        assert_eq!(ok("{:02}", &[Int(12345)]), "12345");
        // Zeros in front of `inf` would read as digits; it takes spaces.
        assert_eq!(ok("{:06}", &[Float(f64::NEG_INFINITY)]), "  -inf");
        assert_eq!(ok("{:05}", &[Float(f64::NAN)]), "  nan");
    }

    #[test]
    fn floats_without_a_spec_print_as_kai_displays_them() {
        for f in [1.0, 0.1, -2.5, 1e21, 1e-7, 1e300, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX] {
            let mut display = String::new();
            registry::write_float(f, &mut display);
            assert_eq!(ok("{}", &[Float(f)]), display, "{f:?}");
        }
        assert_eq!(ok("{}", &[Float(1.0)]), "1.0");
        assert_eq!(ok("{}", &[Float(1e21)]), "1e21");
        assert_eq!(ok("{}", &[Float(f64::NAN)]), "nan");
    }

    #[test]
    fn float_precision_rounds_as_rust_does() {
        assert_eq!(ok("{:.3}", &[Float(1.5)]), "1.500");
        assert_eq!(ok("{:.2}", &[Float(2.675)]), "2.67", "2.675 is stored just below");
        assert_eq!(ok("{:.1}", &[Float(0.25)]), "0.2", "an exact half rounds to even");
        assert_eq!(ok("{:.0}", &[Float(2.5)]), "2");
        assert_eq!(ok("{:.0}", &[Float(3.5)]), "4");
        assert_eq!(ok("{:.0}", &[Float(0.7)]), "1");
        assert_eq!(ok("{:.0}", &[Float(-0.4)]), "-0");
        assert_eq!(ok("{:.2}", &[Float(1e21)]), "1000000000000000000000.00");
        assert_eq!(ok("{:8.2}", &[Float(12.3456)]), "   12.35");
        assert_eq!(ok("{:.3}", &[Float(f64::INFINITY)]), "inf");
        assert_eq!(ok("{:.2}", &[Float(f64::NAN)]), "nan");
    }

    #[test]
    fn hex_binary_and_octal() {
        assert_eq!(ok("{:x}", &[Int(255)]), "ff");
        assert_eq!(ok("{:X}", &[Int(255)]), "FF");
        assert_eq!(ok("{:b}", &[Int(5)]), "101");
        assert_eq!(ok("{:o}", &[Int(8)]), "10");
        assert_eq!(ok("{:#x}", &[Int(255)]), "0xff");
        assert_eq!(ok("{:#X}", &[Int(255)]), "0xFF");
        assert_eq!(ok("{:#b}", &[Int(5)]), "0b101");
        assert_eq!(ok("{:#o}", &[Int(8)]), "0o10");
        assert_eq!(ok("{:x}", &[Int(0)]), "0");
        assert_eq!(ok("{:>6x}", &[Int(255)]), "    ff");
        // `#` means nothing for the other types.
        assert_eq!(ok("{:#}", &[Int(5)]), "5");
    }

    #[test]
    fn negative_hex_is_twos_complement() {
        assert_eq!(ok("{:x}", &[Int(-1)]), "ffffffffffffffff");
        assert_eq!(ok("{:#X}", &[Int(-2)]), "0xFFFFFFFFFFFFFFFE");
        assert_eq!(ok("{:o}", &[Int(-1)]), "1777777777777777777777");
        assert_eq!(ok("{:b}", &[Int(i64::MIN)]), format!("1{}", "0".repeat(63)));
        assert_eq!(ok("{:+x}", &[Int(-1)]), "+ffffffffffffffff", "the digits are unsigned, as in Rust");
    }

    #[test]
    fn scientific() {
        assert_eq!(ok("{:e}", &[Float(1500.0)]), "1.5e3");
        assert_eq!(ok("{:E}", &[Float(1500.0)]), "1.5E3");
        assert_eq!(ok("{:e}", &[Float(0.00012)]), "1.2e-4");
        assert_eq!(ok("{:.2e}", &[Float(1234.5)]), "1.23e3");
        assert_eq!(ok("{:e}", &[Float(-2.0)]), "-2e0");
        assert_eq!(ok("{:e}", &[Int(1500)]), "1.5e3");
        assert_eq!(ok("{:E}", &[Int(-1500)]), "-1.5E3");
        assert_eq!(ok("{:.2e}", &[Int(1234)]), "1.23e3");
        assert_eq!(ok("{:e}", &[Int(0)]), "0e0");
        assert_eq!(ok("{:e}", &[Int(i64::MIN)]), "-9.223372036854775808e18", "exact, unlike a float");
        assert_eq!(ok("{:010.1e}", &[Float(-1500.0)]), "-00001.5e3");
        assert_eq!(ok("{:e}", &[Float(f64::NEG_INFINITY)]), "-inf");
    }

    #[test]
    fn text_precision_truncates_characters() {
        assert_eq!(ok("{:.3}", &[Text("abcdef")]), "abc");
        assert_eq!(ok("{:.10}", &[Text("abc")]), "abc");
        assert_eq!(ok("{:.0}", &[Text("abc")]), "");
        assert_eq!(ok("{:.2}", &[Text("éüx")]), "éü");
        assert_eq!(ok("[{:>5.2}]", &[Text("abcdef")]), "[   ab]");
    }

    #[test]
    fn width_counts_characters_not_bytes() {
        assert_eq!(ok("[{:5}]", &[Text("éü")]), "[éü   ]");
        assert_eq!(ok("[{:>4}]", &[Text("日本")]), "[  日本]");
        assert_eq!(ok("[{:é^5}]", &[Int(1)]), "[éé1éé]");
        assert_eq!(ok("[{:→<3}]", &[Text("a")]), "[a→→]");
    }

    #[test]
    fn the_largest_sizes_are_allowed() {
        assert_eq!(ok("{:10000}", &[Int(1)]).len(), 10_000);
        assert_eq!(ok("{:.10000}", &[Float(1.0)]).len(), 10_002);
    }

    #[test]
    fn unmatched_braces_are_spec_errors() {
        spec_error("{", &[], "unclosed '{' in '{'");
        spec_error("abc {:5", &[Int(1)], "unclosed '{' in '{:5'");
        spec_error("{{{", &[], "unclosed '{' in '{'");
        spec_error("}", &[], "unmatched '}' at character 0");
        spec_error("ab } cd", &[], "unmatched '}' at character 3");
        spec_error("é}", &[], "unmatched '}' at character 1");
        spec_error("{}}", &[Int(1)], "unmatched '}' at character 2");
        spec_error("{:5 {}", &[Int(1)], "'{' inside the placeholder '{:5 {}'");
    }

    #[test]
    fn unsupported_placeholders_and_specs_are_spec_errors() {
        assert_eq!(err("{:q}", &[Int(1)]), FormatError::Spec("'format': unsupported spec '{:q}'".to_string()));
        spec_error("{:?}", &[Int(1)], "unsupported spec '{:?}'");
        spec_error("{:xx}", &[Int(1)], "unsupported spec '{:xx}'");
        spec_error("{:5.}", &[Int(1)], "unsupported spec '{:5.}'");
        spec_error("{:.*}", &[Int(1)], "unsupported spec '{:.*}'");
        spec_error("{:1$}", &[Int(1)], "unsupported spec '{:1$}'");
        spec_error("{:++}", &[Int(1)], "unsupported spec '{:++}'");
        spec_error("{:x5}", &[Int(1)], "unsupported spec '{:x5}'");
        spec_error("{: }", &[Int(1)], "unsupported spec '{: }'");
        spec_error("{name}", &[Int(1)], "unsupported placeholder '{name}'");
        spec_error("{ 0}", &[Int(1)], "unsupported placeholder '{ 0}'");
        spec_error("{-1}", &[Int(1)], "unsupported placeholder '{-1}'");
    }

    #[test]
    fn sizes_over_the_limit_are_spec_errors() {
        spec_error("{:10001}", &[Int(1)], "the width in '{:10001}' is over the limit of 10000");
        spec_error("{:.10001}", &[Float(1.0)], "the precision in '{:.10001}' is over the limit of 10000");
        spec_error("{:99999999999999999999999}", &[Int(1)], "the width in '{:99999999999999999999999}'");
        // An error message quotes no more than a bounded piece of the template.
        let huge = format!("{{:{}}}", "9".repeat(1000));
        match err(&huge, &[Int(1)]) {
            FormatError::Spec(message) => assert!(message.len() < 200, "{message}"),
            other => panic!("expected a spec error, got {other:?}"),
        }
    }

    #[test]
    fn missing_arguments_are_arity_errors() {
        arity_error("{}", &[], "'format': '{}' needs argument index 0, but no arguments were given");
        arity_error("{} {}", &[Int(1)], "'format': '{}' needs argument index 1, but only 1 argument was given");
        arity_error(
            "{:>5}{:x}{:5}",
            &[Int(1), Int(2)],
            "'format': '{:5}' needs argument index 2, but only 2 arguments were given",
        );
        arity_error(
            "{2}",
            &[Int(1), Int(2)],
            "'format': '{2}' needs argument index 2, but only 2 arguments were given",
        );
        assert!(matches!(err("{99999999999999999999999}", &[Int(1)]), FormatError::Arity(_)));
    }

    #[test]
    fn unused_arguments_are_arity_errors() {
        arity_error("", &[Int(1)], "'format': 1 argument given, but argument index 0 is never used in ''");
        arity_error(
            "{} and {}",
            &[Int(1), Int(2), Int(3)],
            "'format': 3 arguments given, but argument index 2 is never used in '{} and {}'",
        );
        arity_error(
            "{1}",
            &[Int(1), Int(2)],
            "'format': 2 arguments given, but argument index 0 is never used in '{1}'",
        );
    }

    #[test]
    fn specs_that_do_not_fit_the_argument_are_type_errors() {
        type_error("{:x}", Float(1.5), "'format': {:x} needs an int, got a float");
        type_error("{:#b}", Float(1.5), "'format': {:#b} needs an int, got a float");
        type_error("{0:o}", Float(1.5), "'format': {0:o} needs an int, got a float");
        type_error("{:X}", Text("a"), "'format': {:X} needs an int, got text");
        type_error("{:e}", Text("a"), "'format': {:e} needs a number, got text");
        type_error("{:+}", Text("a"), "'format': {:+} needs a number, got text");
        type_error("{:05}", Text("a"), "'format': {:05} needs a number, got text");
        type_error("{:.2}", Int(1), "'format': {:.2} has a precision, which needs a float or text, got an int");
        type_error("{:.2x}", Int(1), "'format': {:.2x} has a precision, which needs a float or text, got an int");
    }

    #[test]
    fn errors_come_in_template_order() {
        // The spec error in the first placeholder wins over the missing argument of the second.
        assert!(matches!(err("{:q}{}", &[Int(1)]), FormatError::Spec(_)));
        assert!(matches!(err("{:x}{:q}", &[Float(1.0)]), FormatError::Type(_)));
        // A spec is checked before its argument is looked up.
        assert!(matches!(err("{:q}", &[]), FormatError::Spec(_)));
    }

    #[test]
    fn never_panics_on_odd_templates() {
        fn each(alphabet: &[char], max_len: usize, check: &mut impl FnMut(&str)) {
            let mut template = String::new();
            fn go(alphabet: &[char], left: usize, template: &mut String, check: &mut impl FnMut(&str)) {
                check(template);
                if left == 0 {
                    return;
                }
                for &c in alphabet {
                    template.push(c);
                    go(alphabet, left - 1, template, check);
                    template.pop();
                }
            }
            go(alphabet, max_len, &mut template, check);
        }

        let arg_sets: [&[FormatArg<'_>]; 4] =
            [&[], &[Int(-3)], &[Float(-1.5), Text("éa")], &[Float(f64::NAN), Int(i64::MIN), Text("")]];
        let mut renders = 0usize;
        // Every template of up to five characters from the brief's alphabet, with one argument set...
        let alphabet: Vec<char> = "{}:<>^+#0.9xq".chars().collect();
        each(&alphabet, 5, &mut |template| {
            let _ = render(template, arg_sets[2]);
            renders += 1;
        });
        // ...and up to four from a wider one, with every argument set.
        let alphabet: Vec<char> = "{}:<>^+-#0.19xXbeE?$*é".chars().collect();
        each(&alphabet, 4, &mut |template| {
            for args in arg_sets {
                if let Ok(out) = render(template, args) {
                    assert!(out.chars().count() <= 10 * template.len() + 64, "{template:?} → {out:?}");
                }
                renders += 1;
            }
        });
        assert!(renders > 1_000_000, "{renders}");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_arbitrary_templates(template in "\\PC{0,40}", int: i64, float: f64, text in "\\PC{0,8}") {
            let _ = render(&template, &[Int(int), Float(float), Text(&text)]);
        }

        #[test]
        fn never_panics_on_arbitrary_specs(spec in "[ -~é]{0,12}", int: i64, float: f64) {
            for arg in [Int(int), Float(float), Text("tèxt")] {
                let _ = render(&format!("{{:{spec}}}"), &[arg]);
            }
        }
    }
}
