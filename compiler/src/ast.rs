//! The abstract syntax tree: what the parser produces and the resolver and
//! code generator consume. Every node that a diagnostic may point at carries
//! a byte [`Span`] into the source file.

use std::ops::Range;

/// A byte range in one source file.
pub type Span = Range<usize>;

pub use smol_str::SmolStr;

/// A value together with the source span it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// One source file: the module `name` (from the file name).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    pub items: Vec<Item>,
}

/// A top-level item. Adjacent `FnClause`s with the same name and arity form
/// one function (the resolver groups them).
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Fn(FnClause),
}

/// `pub fn name(params) when guard { body }`
#[derive(Debug, Clone, PartialEq)]
pub struct FnClause {
    pub public: bool,
    pub name: String,
    pub name_span: Span,
    pub params: Vec<Pattern>,
    pub guard: Option<Expr>,
    pub body: Block,
    /// The whole clause, from `pub`/`fn` to the closing brace.
    pub span: Span,
}

/// `{ e1; e2 \n e3 }`: the value is the last expression. An empty block
/// has the value `nil`.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub exprs: Vec<Expr>,
    pub span: Span,
}

pub type Expr = Spanned<ExprKind>;

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// Integer literal; arbitrary precision, kept as decimal digits with an
    /// optional leading `-` (the lexer has already removed `_` and turned
    /// `0x..` into decimal).
    Int(SmolStr),
    Float(f64),
    /// `:ok`, `:"two words"`, and also `true`, `false`, `nil`.
    Atom(String),
    /// A string literal without interpolation (escapes already decoded).
    Str(String),
    /// `"a #{e} b"`: literal parts and expressions, in order.
    Interp(Vec<InterpPart>),
    /// A variable reference.
    Var(String),
    /// `(a, b)`, `()`, `(a,)`
    Tuple(Vec<Expr>),
    /// `[a, b | tail]`; `tail` is `None` for a proper list literal.
    List(Vec<Expr>, Option<Box<Expr>>),
    /// `#{k => v, ...}`
    Map(Vec<(Expr, Expr)>),
    /// `#{m | k => v, ...}`
    MapUpdate(Box<Expr>, Vec<(Expr, Expr)>),
    /// `fn(params) { body }`: one clause. (Multi-clause anonymous functions
    /// are not in the card; a Vec keeps the door open.)
    Lambda(Vec<LambdaClause>),
    /// `&name/arity` (module `None`) or `&module.name/arity`.
    FnRef {
        module: Option<String>,
        name: String,
        arity: usize,
    },
    /// `f(args)` where `f` is a plain name: a local function, a built-in,
    /// or (if `f` is a bound variable) a call of the fun value it holds.
    /// The resolver decides which.
    Call {
        name: String,
        name_span: Span,
        args: Vec<Expr>,
    },
    /// `module.name(args)`
    RemoteCall {
        module: String,
        name: String,
        args: Vec<Expr>,
    },
    /// `expr(args)` where `expr` is not a plain name, e.g. `(f)(x)` or
    /// `make_adder(1)(2)`.
    Apply(Box<Expr>, Vec<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `dest ! msg`
    Send(Box<Expr>, Box<Expr>),
    /// `let pattern = expr`; its value is the value of `expr`.
    /// (`x |> f(y)` is desugared by the parser into `f(x, y)`; there is no
    /// pipe node.)
    Let(Pattern, Box<Expr>),
    Block(Block),
    /// `if c { a } else if c2 { b } else { c }`: a list of (condition,
    /// block) and an optional final else block.
    If(Vec<(Expr, Block)>, Option<Block>),
    Case(Box<Expr>, Vec<Arm>),
    Receive(Vec<Arm>, Option<After>),
    /// `try { body } catch { (class, reason) => handler, ... }`
    Try(Block, Vec<Arm>),
    /// `try { ... } catch { ... } after { cleanup }`, or without `catch`:
    /// the protected expression (a `Try`, or the body as a `Block`) and
    /// the cleanup, which runs however the protected part ends.
    TryAfter(Box<Expr>, Block),
    /// `for x in xs, y in ys, x < y { (x, y) }`: a list comprehension, its
    /// generators and filters in order, and the body.
    For(Vec<Qualifier>, Block),
    /// A placeholder the parser leaves where it recovered from a syntax
    /// error; the compiler never sees it because a file with syntax errors
    /// is not compiled.
    Error,
}

/// One comma-separated part of a comprehension's head.
#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    /// `pattern in expr`: each element of a list (or each `(key, value)`
    /// pair of a map, in key order); an element that does not match is
    /// skipped.
    Gen(Pattern, Expr),
    /// Any other expression: it must be `true` for the body to run.
    Filter(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum InterpPart {
    Lit(String),
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LambdaClause {
    pub params: Vec<Pattern>,
    pub guard: Option<Expr>,
    pub body: Block,
    pub span: Span,
}

/// `pattern when guard => body` in `case`, `receive` and `catch`.
#[derive(Debug, Clone, PartialEq)]
pub struct Arm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
    pub span: Span,
}

/// `after ms => expr`
#[derive(Debug, Clone, PartialEq)]
pub struct After {
    pub timeout: Box<Expr>,
    pub body: Box<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    /// `++`
    ListConcat,
    /// `<>`
    StrConcat,
    Add,
    Sub,
    Mul,
    /// `/`: always a float
    Div,
    /// `div`
    IntDiv,
    /// `rem`
    Rem,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Gt => ">",
            BinOp::Le => "<=",
            BinOp::Ge => ">=",
            BinOp::ListConcat => "++",
            BinOp::StrConcat => "<>",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::IntDiv => "div",
            BinOp::Rem => "rem",
        }
    }
}

pub type Pattern = Spanned<PatternKind>;

#[derive(Debug, Clone, PartialEq)]
pub enum PatternKind {
    /// `_` (also `_name`: binds nothing, never warned about).
    Wildcard,
    /// A bare name: binds (or, if already bound in the same pattern, must be
    /// equal to the first binding, as in Erlang).
    Bind(String),
    /// `^name`: matches the value the name already holds.
    Pin(String),
    /// Integer literal (decimal digits, optional leading `-`).
    Int(SmolStr),
    Float(f64),
    Atom(String),
    Str(String),
    Tuple(Vec<Pattern>),
    /// `[a, b | tail]`; `tail` `None` means the list ends there.
    List(Vec<Pattern>, Option<Box<Pattern>>),
    /// `#{key => pattern}`: keys are literals or pinned variables; the map
    /// may have other keys.
    Map(Vec<(Pattern, Pattern)>),
    /// `pattern = name` or `name = pattern` inside a pattern: both must
    /// match (Erlang's alias pattern). `Alias(p, q)`.
    Alias(Box<Pattern>, Box<Pattern>),
}
