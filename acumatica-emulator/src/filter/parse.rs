//! Parser from `$filter` text to [`Expr`], refusing what Acumatica refuses. It reads the
//! nested grammar without recursion (an explicit stack of frames on the heap).

use super::error::FilterError;

use super::ast::{
    CompareOp, CustomField, CustomType, Dialect, Expr, FieldRef, Function, Literal, Operand,
};
use super::lex::{Lexer, Token, TokenKind, is_name_char, is_name_start};

/// The deepest nesting of parentheses, `not` and function calls (a deeper filter is refused with
/// a [`FilterError`] at the first token past the limit). It bounds the parser's frame stack and
/// the recursion over the tree in evaluation, printing and dropping. `and`/`or` chains are flat
/// and do not count. Microsoft's OData parsers have such a limit too.
const MAX_DEPTH: usize = 100;

/// OData arithmetic operators, which Acumatica's contract-based API does not document.
const ARITHMETIC: [&str; 5] = ["add", "sub", "mul", "div", "mod"];

/// OData v4 operators.
const OTHER_OPERATORS: [&str; 2] = ["has", "in"];

/// Logical keywords.
const LOGICAL: [&str; 3] = ["and", "or", "not"];

/// The only functions Acumatica documents for the contract-based API (OData v3).
const V3_FUNCTIONS: [&str; 3] = ["substringof", "startswith", "endswith"];

/// The same functions in OData v4, where `contains` replaced `substringof`.
const V4_FUNCTIONS: [&str; 3] = ["contains", "startswith", "endswith"];

/// The string functions `dialect` has.
fn functions(dialect: Dialect) -> [&'static str; 3] {
    match dialect {
        Dialect::V3 => V3_FUNCTIONS,
        Dialect::V4 => V4_FUNCTIONS,
    }
}

/// Parses a percent-decoded `$filter` value in OData v3, as the contract-based API takes it:
/// `parse_with(input, Dialect::V3)`.
///
/// Accepts only the subset of OData v3 that Acumatica's contract-based API documents (the
/// constructs [`Expr`] can hold, with the literal forms of [`Literal`]); anything else is a
/// [`FilterError`] naming the position. Never panics, whatever the input.
pub fn parse(input: &str) -> Result<Expr, FilterError> {
    parse_with(input, Dialect::V3)
}

/// Parses a percent-decoded `$filter` value in `dialect`.
///
/// Both dialects accept the same constructs (the ones [`Expr`] can hold). OData v4, as
/// generic inquiries take it, differs in spelling only: `contains(Field, 'text')` instead of
/// `substringof('text', Field)`, numbers without suffixes (`1000.50`), bare date-times with
/// an offset, dates and GUIDs; the v3-only forms (`M`/`L`/`d` suffixes, `datetimeoffset'..'`,
/// `datetime'..'`, `date'..'`, `guid'..'`, `substringof`) are refused with a positioned
/// [`FilterError`], and v3 refuses the v4-only ones (`contains`, bare date-times, dates and
/// GUIDs). Nesting deeper than 100 levels of parentheses, `not` and function calls is
/// refused; `and`/`or` chains of any length are flat. Never panics and never recurses in
/// proportion to the input; takes time linear in its length.
///
/// ```
/// use acumatica_emulator::filter::{Dialect, parse, parse_with};
/// let v4 = parse_with("contains(Name, 'x') and Total gt 1000.50", Dialect::V4).unwrap();
/// let v3 = parse("substringof('x', Name) and Total gt 1000.50M").unwrap();
/// assert_eq!(v4, v3);
/// assert!(parse_with("Total gt 1000.50M", Dialect::V4).is_err());
/// ```
pub fn parse_with(input: &str, dialect: Dialect) -> Result<Expr, FilterError> {
    parse_parser(Parser::new(input, dialect)?)
}

/// Parses a contract-API `$filter` (OData v3) that may also use the functions Acumatica's
/// documentation does not confirm for it: `contains(Field, 'text')` (as
/// `substringof('text', Field)`) and `tolower(Field)` / `toupper(Field)` in place of a field
/// ([`FieldRef::Case`]). The emulator parses with it when
/// [`Config::unconfirmed_functions`](crate::Config::unconfirmed_functions) accepts them.
///
/// ```
/// use acumatica_emulator::filter::{parse, parse_unconfirmed};
/// assert!(parse("contains(Name, 'x')").is_err());
/// assert_eq!(
///     parse_unconfirmed("contains(Name, 'x')").unwrap(),
///     parse("substringof('x', Name)").unwrap()
/// );
/// assert!(parse_unconfirmed("tolower(Name) eq 'x'").is_ok());
/// ```
pub fn parse_unconfirmed(input: &str) -> Result<Expr, FilterError> {
    let mut parser = Parser::new(input, Dialect::V3)?;
    parser.unconfirmed = true;
    parse_parser(parser)
}

fn parse_parser(mut parser: Parser) -> Result<Expr, FilterError> {
    if parser.peeked.kind == TokenKind::End {
        return Err(FilterError::new(
            parser.peeked.start,
            "the filter is empty: expected a condition",
        ));
    }
    let term = parser.or()?;
    let expr = condition(term)?;
    match parser.peeked.kind {
        TokenKind::End => Ok(expr),
        TokenKind::RParen => Err(FilterError::new(
            parser.peeked.start,
            "unbalanced ')': there is no matching '('",
        )),
        _ => Err(parser.expected("'and', 'or' or the end of the filter")),
    }
}

/// A parsed piece whose role (condition or operand) is only known from what surrounds it.
#[derive(Debug)]
struct Term {
    kind: TermKind,
    /// Where the piece starts, for errors about it.
    start: usize,
}

#[derive(Debug)]
enum TermKind {
    Condition(Expr),
    Value(Operand),
    Function(Function),
}

/// The term as a condition: a field or a literal alone is not one.
fn condition(term: Term) -> Result<Expr, FilterError> {
    match term.kind {
        TermKind::Condition(expr) => Ok(expr),
        TermKind::Function(function) => Ok(Expr::Function(function)),
        TermKind::Value(Operand::Field(field)) => Err(FilterError::new(
            term.start,
            format!(
                "the field '{field}' is not a condition by itself; compare it, e.g. '{field} eq true'"
            ),
        )),
        TermKind::Value(Operand::Literal(_)) => Err(FilterError::new(
            term.start,
            "a literal is not a condition by itself; compare a field with it",
        )),
    }
}

#[derive(Debug)]
struct Parser {
    lexer: Lexer,
    /// The next token, not yet consumed.
    peeked: Token,
    /// The last consumed token, for "after 'eq'" in messages.
    prev: Option<Token>,
    /// Which functions exist, for errors about the others.
    dialect: Dialect,
    /// Whether `contains` and `tolower`/`toupper` are taken in OData v3 too.
    unconfirmed: bool,
}

impl Parser {
    fn new(input: &str, dialect: Dialect) -> Result<Self, FilterError> {
        let mut lexer = Lexer::new(input, dialect);
        let peeked = lexer.next_token()?;
        Ok(Parser {
            lexer,
            peeked,
            prev: None,
            dialect,
            unconfirmed: false,
        })
    }

    fn advance(&mut self) -> Result<Token, FilterError> {
        let next = self.lexer.next_token()?;
        let token = std::mem::replace(&mut self.peeked, next);
        self.prev = Some(token.clone());
        Ok(token)
    }

    fn peek_word(&self) -> Option<&str> {
        match &self.peeked.kind {
            TokenKind::Word(word) => Some(word),
            _ => None,
        }
    }

    fn at_word(&self, word: &str) -> bool {
        self.peek_word() == Some(word)
    }

    /// "expected {what} after {previous token}, found {next token}", at the next token.
    fn expected(&self, what: &str) -> FilterError {
        let after = self
            .prev
            .as_ref()
            .map(|prev| format!(" after {}", self.lexer.describe(prev)))
            .unwrap_or_default();
        FilterError::new(
            self.peeked.start,
            format!(
                "expected {what}{after}, found {}",
                self.lexer.describe(&self.peeked)
            ),
        )
    }

    /// The error for a missing operand, worded for where it is missing.
    fn expected_operand(&self) -> FilterError {
        let after_comparison = matches!(
            &self.prev,
            Some(Token { kind: TokenKind::Word(word), .. }) if CompareOp::from_keyword(word).is_some()
        );
        self.expected(if after_comparison {
            "a field or a literal"
        } else {
            "a condition"
        })
    }

    fn deeper(depth: usize, at: usize) -> Result<usize, FilterError> {
        if depth >= MAX_DEPTH {
            return Err(FilterError::new(
                at,
                format!("the filter is nested too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        Ok(depth + 1)
    }

    /// `and-term ('or' and-term)*`, where an and-term is `comparison ('and' comparison)*`, a
    /// comparison is `unary [op unary]`, a unary is `'not' unary | primary` (`not` binds
    /// tighter than comparisons, as in OData) and a primary is `'(' or ')'`, a literal, a
    /// field or a function call.
    ///
    /// The grammar nests, but the parser does not recurse: constructs under way wait on a
    /// [`Frame`] stack on the heap, so the call stack stays the same on any input (a debug
    /// build's frames are large enough that 100 levels of recursion overflowed a 2 MiB
    /// thread). Nesting is bounded by [`MAX_DEPTH`]; `and`/`or` chains are flat.
    fn or(&mut self) -> Result<Term, FilterError> {
        let mut frames: Vec<Frame> = Vec::new();
        // Levels of parentheses, `not` and function calls open on `frames`.
        let mut depth = 0;
        begin_or(&mut frames);
        let mut step = Step::Descend;
        loop {
            let term = match step {
                Step::Descend => match self.unary(&mut frames, &mut depth)? {
                    Some(term) => term,
                    None => {
                        step = Step::Descend;
                        continue;
                    }
                },
                Step::Finish(term) => term,
            };
            let Some(frame) = frames.pop() else {
                return Ok(term);
            };
            step = self.finish(frame, term, &mut frames, &mut depth)?;
        }
    }

    /// Reads `not`s and a primary. Gives the term when the primary is a value; `None` when
    /// it opened a construct (a parenthesis, a function call) whose content is read next.
    fn unary(
        &mut self,
        frames: &mut Vec<Frame>,
        depth: &mut usize,
    ) -> Result<Option<Term>, FilterError> {
        while self.at_word("not") {
            let not = self.advance()?;
            *depth = Self::deeper(*depth, not.start)?;
            frames.push(Frame::Not { start: not.start });
        }
        let start = self.peeked.start;
        match self.peeked.kind.clone() {
            TokenKind::LParen => {
                self.advance()?;
                *depth = Self::deeper(*depth, start)?;
                frames.push(Frame::Paren { start });
                begin_or(frames);
                Ok(None)
            }
            TokenKind::Literal(literal) => {
                self.advance()?;
                Ok(Some(value(Operand::Literal(literal), start)))
            }
            TokenKind::Word(word) => match self.word(start, word, *depth)? {
                Primary::Value(term) => Ok(Some(term)),
                Primary::Call(name) => {
                    *depth += 1;
                    self.argument()?;
                    frames.push(Frame::FirstArgument { start, name });
                    begin_or(frames);
                    Ok(None)
                }
            },
            _ => Err(self.expected_operand()),
        }
    }

    /// Hands `term`, just read, to the construct `frame` that waited for it: either that
    /// construct is complete ([`Step::Finish`] with its own term) or it needs another term
    /// ([`Step::Descend`], with its frame pushed back).
    fn finish(
        &mut self,
        frame: Frame,
        term: Term,
        frames: &mut Vec<Frame>,
        depth: &mut usize,
    ) -> Result<Step, FilterError> {
        match frame {
            Frame::Or { items, start } => self.chain(ChainKind::Or, items, start, term, frames),
            Frame::And { items, start } => self.chain(ChainKind::And, items, start, term, frames),
            Frame::CompareLeft => {
                let left = term;
                self.refuse_operator()?;
                let Some(op) = self.peek_word().and_then(CompareOp::from_keyword) else {
                    // Whatever else may follow a value ends it: `and`/`or`, `)`, `,`, the end.
                    let operand_follows = match &self.peeked.kind {
                        TokenKind::Word(word) => word != "and" && word != "or",
                        TokenKind::Literal(_) | TokenKind::LParen | TokenKind::Equals => true,
                        TokenKind::RParen | TokenKind::Comma | TokenKind::End => false,
                    };
                    if operand_follows && matches!(left.kind, TermKind::Value(_)) {
                        return Err(self.expected("an operator (eq, ne, gt, ge, lt, le)"));
                    }
                    return Ok(Step::Finish(left));
                };
                let op_token = self.advance()?;
                frames.push(Frame::CompareRight { left, op, op_token });
                Ok(Step::Descend)
            }
            Frame::CompareRight { left, op, op_token } => {
                self.refuse_operator()?;
                let combined = combine(left, op, &op_token, term)?;
                if let Some(next) = self.peek_word().and_then(CompareOp::from_keyword) {
                    return Err(FilterError::new(
                        self.peeked.start,
                        format!(
                            "comparisons cannot be chained: join conditions with 'and' or 'or' instead of '{}'",
                            next.keyword()
                        ),
                    ));
                }
                Ok(Step::Finish(combined))
            }
            Frame::Not { start } => {
                *depth -= 1;
                let expr = match term.kind {
                    TermKind::Condition(expr) => expr,
                    TermKind::Function(function) => Expr::Function(function),
                    TermKind::Value(operand) => {
                        return Err(FilterError::new(
                            term.start,
                            format!(
                                "'not' binds tighter than comparisons, so it applies to '{operand}' alone, which is not a condition; write 'not ({operand} eq ...)'"
                            ),
                        ));
                    }
                };
                Ok(Step::Finish(Term {
                    kind: TermKind::Condition(Expr::Not(Box::new(expr))),
                    start,
                }))
            }
            Frame::Paren { start } => {
                *depth -= 1;
                if self.peeked.kind != TokenKind::RParen {
                    return Err(self.expected(&format!("')' to close the '(' at position {start}")));
                }
                self.advance()?;
                Ok(Step::Finish(Term {
                    kind: term.kind,
                    start,
                }))
            }
            Frame::FirstArgument { start, name } => {
                if self.peeked.kind != TokenKind::Comma {
                    return Err(self.expected(&format!("',' between the two arguments of {name}")));
                }
                self.advance()?;
                self.argument()?;
                frames.push(Frame::SecondArgument {
                    start,
                    name,
                    first: term,
                });
                begin_or(frames);
                Ok(Step::Descend)
            }
            Frame::SecondArgument { start, name, first } => {
                if self.peeked.kind != TokenKind::RParen {
                    return Err(self.expected(&format!("')' to close {name}(...)")));
                }
                self.advance()?;
                *depth -= 1;
                Ok(Step::Finish(string_function(start, &name, first, term)?))
            }
        }
    }

    /// One more item of an `or` (or `and`) chain: `items` so far (empty before the first).
    fn chain(
        &mut self,
        kind: ChainKind,
        mut items: Vec<Expr>,
        start: usize,
        term: Term,
        frames: &mut Vec<Frame>,
    ) -> Result<Step, FilterError> {
        let keyword = kind.keyword();
        let start = if items.is_empty() {
            if !self.at_word(keyword) {
                return Ok(Step::Finish(term));
            }
            term.start
        } else {
            start
        };
        items.push(condition(term)?);
        if !self.at_word(keyword) {
            let expr = match kind {
                ChainKind::Or => Expr::Or(items),
                ChainKind::And => Expr::And(items),
            };
            return Ok(Step::Finish(Term {
                kind: TermKind::Condition(expr),
                start,
            }));
        }
        self.advance()?;
        match kind {
            ChainKind::Or => {
                frames.push(Frame::Or { items, start });
                frames.push(Frame::And {
                    items: Vec::new(),
                    start: 0,
                });
            }
            ChainKind::And => frames.push(Frame::And { items, start }),
        }
        frames.push(Frame::CompareLeft);
        Ok(Step::Descend)
    }

    /// Refuses OData operators Acumatica does not take, and operators spelled in upper case.
    fn refuse_operator(&self) -> Result<(), FilterError> {
        let Some(word) = self.peek_word() else {
            return Ok(());
        };
        let at = self.peeked.start;
        let api = self.dialect.api();
        if ARITHMETIC.contains(&word) {
            return Err(FilterError::new(
                at,
                format!("arithmetic operator '{word}' is not supported by {api}"),
            ));
        }
        if OTHER_OPERATORS.contains(&word) {
            return Err(FilterError::new(
                at,
                format!("operator '{word}' is not supported by {api}"),
            ));
        }
        let lower = word.to_ascii_lowercase();
        let is_operator = CompareOp::from_keyword(&lower).is_some()
            || LOGICAL.contains(&lower.as_str())
            || ARITHMETIC.contains(&lower.as_str())
            || OTHER_OPERATORS.contains(&lower.as_str());
        if lower != word && is_operator {
            return Err(FilterError::new(
                at,
                format!("operators are lower-case: write '{lower}' instead of '{word}'"),
            ));
        }
        Ok(())
    }

    /// A keyword literal, a field path, or the start of a function call.
    fn word(&mut self, start: usize, word: String, depth: usize) -> Result<Primary, FilterError> {
        let keyword_literal = match word.as_str() {
            "true" => Some(Literal::Bool(true)),
            "false" => Some(Literal::Bool(false)),
            "null" => Some(Literal::Null),
            _ => None,
        };
        if let Some(literal) = keyword_literal {
            self.advance()?;
            return Ok(Primary::Value(value(Operand::Literal(literal), start)));
        }
        let is_keyword = CompareOp::from_keyword(&word).is_some()
            || LOGICAL.contains(&word.as_str())
            || ARITHMETIC.contains(&word.as_str())
            || OTHER_OPERATORS.contains(&word.as_str());
        if is_keyword {
            return Err(self.expected_operand());
        }
        self.advance()?;
        if self.peeked.kind == TokenKind::LParen {
            return self.call(start, word, depth);
        }
        if word.starts_with("cf.") {
            return Err(self.expected("'('"));
        }
        // Words are ASCII, so byte and char indexes agree.
        if let Some(dot) = word.find('.') {
            return Err(FilterError::new(
                start + dot,
                "'.' cannot appear in a field path; linked entities are separated by '/'",
            ));
        }
        let path = word.split('/').map(str::to_string).collect();
        Ok(Primary::Value(value(
            Operand::Field(FieldRef::Path(path)),
            start,
        )))
    }

    /// `name '(' ...`: the peeked token is the `(`. A custom field is read whole; a string
    /// function gives [`Primary::Call`], its arguments are read next, one level deeper.
    fn call(&mut self, start: usize, word: String, depth: usize) -> Result<Primary, FilterError> {
        let open = self.advance()?;
        Self::deeper(depth, open.start)?;
        if let Some(slash) = word.rfind('/') {
            // `Details/any(d: ...)` and the like.
            return Err(unsupported_function(
                start + slash + 1,
                &word[slash + 1..],
                self.dialect,
            ));
        }
        if let Some(type_name) = word.strip_prefix("cf.") {
            return self.custom_field(start, type_name).map(Primary::Value);
        }
        if functions(self.dialect).contains(&word.as_str())
            || (self.unconfirmed && word == "contains")
        {
            return Ok(Primary::Call(word));
        }
        if self.unconfirmed && (word == "tolower" || word == "toupper") {
            return self.case_function(start, &word, depth + 1);
        }
        Err(unsupported_function(start, &word, self.dialect))
    }

    /// `tolower(Field)` / `toupper(Field)`: the `(` is consumed; the argument is a field.
    fn case_function(
        &mut self,
        start: usize,
        name: &str,
        depth: usize,
    ) -> Result<Primary, FilterError> {
        let at = self.peeked.start;
        let TokenKind::Word(word) = self.peeked.kind.clone() else {
            return Err(self.expected(&format!("a field inside {name}(...)")));
        };
        let field = match self.word(at, word, depth)? {
            Primary::Value(Term {
                kind: TermKind::Value(Operand::Field(field)),
                ..
            }) => field,
            _ => return Err(FilterError::new(at, format!("{name} takes a field"))),
        };
        if self.peeked.kind != TokenKind::RParen {
            return Err(self.expected(&format!("')' to close {name}(...)")));
        }
        self.advance()?;
        let field = FieldRef::Case {
            upper: name == "toupper",
            field: Box::new(field),
        };
        Ok(Primary::Value(value(Operand::Field(field), start)))
    }

    /// Refuses a missing function argument before it is read.
    fn argument(&self) -> Result<(), FilterError> {
        if matches!(
            self.peeked.kind,
            TokenKind::RParen | TokenKind::Comma | TokenKind::End
        ) {
            return Err(self.expected("an argument"));
        }
        Ok(())
    }

    /// `cf.<Type>(f='[Entity/]View.Field')`: the `(` is consumed.
    fn custom_field(&mut self, start: usize, type_name: &str) -> Result<Term, FilterError> {
        let Some(kind) = CustomType::from_name(type_name) else {
            let known: Vec<String> = CustomType::ALL
                .iter()
                .map(|kind| format!("cf.{}", kind.name()))
                .collect();
            return Err(FilterError::new(
                start,
                format!(
                    "unknown custom field type 'cf.{type_name}'; expected one of {}",
                    known.join(", ")
                ),
            ));
        };
        if !self.at_word("f") {
            return Err(self.expected("f='View.Field'"));
        }
        self.advance()?;
        if self.peeked.kind != TokenKind::Equals {
            return Err(self.expected("'='"));
        }
        self.advance()?;
        let TokenKind::Literal(Literal::String(target)) = self.peeked.kind.clone() else {
            return Err(self.expected("a quoted 'View.Field'"));
        };
        let target_start = self.peeked.start;
        self.advance()?;
        if self.peeked.kind != TokenKind::RParen {
            return Err(self.expected(&format!("')' to close cf.{type_name}(...)")));
        }
        self.advance()?;
        let (entity, view, field) = custom_target(&target, target_start)?;
        Ok(value(
            Operand::Field(FieldRef::Custom(CustomField {
                kind,
                entity,
                view,
                field,
            })),
            start,
        ))
    }
}

/// What [`Parser::or`] does next.
#[derive(Debug)]
enum Step {
    /// Read a unary term (`not`s and a primary).
    Descend,
    /// Hand this term to the frame on top of the stack.
    Finish(Term),
}

/// A construct being parsed, waiting for the term read inside it.
#[derive(Debug)]
enum Frame {
    /// An `or` chain; `items` is empty until the first `or` is seen.
    Or { items: Vec<Expr>, start: usize },
    /// An `and` chain; `items` is empty until the first `and` is seen.
    And { items: Vec<Expr>, start: usize },
    /// A comparison waiting for its left side.
    CompareLeft,
    /// A comparison waiting for its right side.
    CompareRight {
        left: Term,
        op: CompareOp,
        op_token: Token,
    },
    /// `not` at `start`.
    Not { start: usize },
    /// `(` at `start`.
    Paren { start: usize },
    /// The first argument of the string function `name` called at `start`.
    FirstArgument { start: usize, name: String },
    /// The second argument.
    SecondArgument {
        start: usize,
        name: String,
        first: Term,
    },
}

/// Which chain a [`Frame::Or`] or [`Frame::And`] is.
#[derive(Debug, Clone, Copy)]
enum ChainKind {
    Or,
    And,
}

impl ChainKind {
    fn keyword(self) -> &'static str {
        match self {
            ChainKind::Or => "or",
            ChainKind::And => "and",
        }
    }
}

/// A primary read by [`Parser::word`].
#[derive(Debug)]
enum Primary {
    /// A literal, a field or a custom field.
    Value(Term),
    /// A string function whose `(` was consumed.
    Call(String),
}

/// Opens an `or` chain: its first and-term's first comparison is read next.
fn begin_or(frames: &mut Vec<Frame>) {
    frames.push(Frame::Or {
        items: Vec::new(),
        start: 0,
    });
    frames.push(Frame::And {
        items: Vec::new(),
        start: 0,
    });
    frames.push(Frame::CompareLeft);
}

/// `substringof('text', Field)` (v3) or `contains(Field, 'text')` (v4),
/// `startswith(Field, 'text')`, `endswith(Field, 'text')`, from its two arguments.
fn string_function(
    start: usize,
    name: &str,
    first: Term,
    second: Term,
) -> Result<Term, FilterError> {
    let function = match name {
        "substringof" => {
            let usage = "substringof takes the text first and the field second (OData v3 order): substringof('text', Field)";
            Function::SubstringOf {
                text: string_argument(first, usage)?,
                field: field_argument(second, usage)?,
            }
        }
        "contains" => {
            let usage = "contains takes the field first: contains(Field, 'text')";
            Function::SubstringOf {
                field: field_argument(first, usage)?,
                text: string_argument(second, usage)?,
            }
        }
        "startswith" => {
            let usage = "startswith takes the field first: startswith(Field, 'text')";
            Function::StartsWith {
                field: field_argument(first, usage)?,
                text: string_argument(second, usage)?,
            }
        }
        _ => {
            let usage = "endswith takes the field first: endswith(Field, 'text')";
            Function::EndsWith {
                field: field_argument(first, usage)?,
                text: string_argument(second, usage)?,
            }
        }
    };
    Ok(Term {
        kind: TermKind::Function(function),
        start,
    })
}

fn value(operand: Operand, start: usize) -> Term {
    Term {
        kind: TermKind::Value(operand),
        start,
    }
}

fn unsupported_function(at: usize, name: &str, dialect: Dialect) -> FilterError {
    let lower = name.to_ascii_lowercase();
    if lower != name && functions(dialect).contains(&lower.as_str()) {
        return FilterError::new(
            at,
            format!("function names are lower-case: write '{lower}' instead of '{name}'"),
        );
    }
    if dialect == Dialect::V4 && lower == "substringof" {
        return FilterError::new(
            at,
            format!(
                "function '{name}' is OData v3; in OData v4 (generic inquiries) write contains(Field, 'text')"
            ),
        );
    }
    let hint = if dialect == Dialect::V3 && lower == "contains" {
        " (it is OData v4; here write substringof('text', Field))"
    } else {
        ""
    };
    FilterError::new(
        at,
        format!(
            "function '{name}' is not supported by {}{hint}",
            dialect.api()
        ),
    )
}

/// Builds `left op right`, allowing a function only against `true`/`false` with `eq`/`ne`.
fn combine(left: Term, op: CompareOp, op_token: &Token, right: Term) -> Result<Term, FilterError> {
    let start = left.start;
    let expr = match (left.kind, right.kind) {
        (TermKind::Value(left), TermKind::Value(right)) => Expr::Compare { left, op, right },
        (TermKind::Function(function), TermKind::Value(Operand::Literal(Literal::Bool(value))))
        | (TermKind::Value(Operand::Literal(Literal::Bool(value))), TermKind::Function(function))
            if matches!(op, CompareOp::Eq | CompareOp::Ne) =>
        {
            // `f eq true` and `f ne false` are `f`; the other two are `not f`.
            if (op == CompareOp::Eq) == value {
                Expr::Function(function)
            } else {
                Expr::Not(Box::new(Expr::Function(function)))
            }
        }
        (TermKind::Condition(_), _) | (_, TermKind::Condition(_)) => {
            return Err(FilterError::new(
                op_token.start,
                format!(
                    "a condition cannot be compared with '{}'; join conditions with 'and' or 'or'",
                    op.keyword()
                ),
            ));
        }
        _ => {
            return Err(FilterError::new(
                op_token.start,
                "a function result can only be compared with true or false, using 'eq' or 'ne'",
            ));
        }
    };
    Ok(Term {
        kind: TermKind::Condition(expr),
        start,
    })
}

fn string_argument(term: Term, usage: &str) -> Result<String, FilterError> {
    match term.kind {
        TermKind::Value(Operand::Literal(Literal::String(text))) => Ok(text),
        _ => Err(FilterError::new(
            term.start,
            format!("expected a string literal; {usage}"),
        )),
    }
}

fn field_argument(term: Term, usage: &str) -> Result<FieldRef, FilterError> {
    match term.kind {
        TermKind::Value(Operand::Field(field)) => Ok(field),
        _ => Err(FilterError::new(
            term.start,
            format!("expected a field; {usage}"),
        )),
    }
}

/// Splits `[Entity/...]View.Field`; `quote_at` is the position of the opening quote.
fn custom_target(
    text: &str,
    quote_at: usize,
) -> Result<(Vec<String>, String, String), FilterError> {
    let invalid = |offset: usize, message: String| {
        FilterError::new(
            quote_at + 1 + offset,
            format!(
                "invalid custom field reference: {message}; expected f='View.Field' or f='Entity/View.Field'"
            ),
        )
    };
    let chars: Vec<char> = text.chars().collect();
    if chars.contains(&'\'') {
        // A doubled quote shifts every later position, and no name contains one anyway.
        return Err(FilterError::new(
            quote_at,
            "invalid custom field reference: a quote cannot appear in it",
        ));
    }
    let describe = |i: usize| {
        chars
            .get(i)
            .map_or_else(|| "the end".to_string(), |c| format!("{c:?}"))
    };
    let name = |i: &mut usize| -> Result<String, FilterError> {
        let begin = *i;
        if !chars.get(begin).copied().is_some_and(is_name_start) {
            return Err(invalid(
                begin,
                format!("expected a name, found {}", describe(begin)),
            ));
        }
        while chars.get(*i).copied().is_some_and(is_name_char) {
            *i += 1;
        }
        Ok(chars[begin..*i].iter().collect())
    };
    let mut entity = Vec::new();
    let mut i = 0;
    loop {
        let segment = name(&mut i)?;
        match chars.get(i) {
            Some('/') => {
                entity.push(segment);
                i += 1;
            }
            Some('.') => {
                i += 1;
                let field = name(&mut i)?;
                if i < chars.len() {
                    return Err(invalid(i, format!("unexpected {}", describe(i))));
                }
                return Ok((entity, segment, field));
            }
            _ => {
                return Err(invalid(
                    i,
                    format!("expected '.' or '/', found {}", describe(i)),
                ));
            }
        }
    }
}
