//! `term!`: builds a [`Term`](crate::Term) in Reef's own notation.

/// Builds a [`Term`](crate::Term) written as in Reef.
///
/// It accepts:
/// - an atom: `:ok`, `:"two words"`, and `nil` (`true`/`false` are Rust's
///   booleans, which are the atoms `true` and `false`);
/// - a tuple: `(a, b, ...)`; `()` is the empty tuple;
/// - a list: `[a, b, ...]`;
/// - a map: `#{k => v, ...}` as in Reef (`#{:name => "x", 1 => 2}`), where
///   `name: v` is short for `:name => v` (the two may be mixed); `%{...}`
///   is accepted as a synonym of `#{...}`;
/// - anything else is a Rust expression converted with `Term::from`: a
///   literal (`3`, `-1.5`, `"text"`), a variable, or a `{ block }` for a
///   longer expression. A `Term` is taken as it is.
///
/// Elements are separated by commas; a trailing comma is allowed. Each
/// token of the input is one step of the macro's recursion, so a very
/// long literal term may need `#![recursion_limit]`; build those with
/// [`to_term`](crate::to_term) instead.
///
/// # Examples
/// ```
/// use reef_vm::{term, Term};
/// let name = "ada";
/// let t = term!((:ok, #{name: name, :scores => [3, -1, {1 + 1}], "k" => nil}));
/// assert_eq!(t.to_string(), r#"(:ok, #{:name => "ada", :scores => [3, -1, 2], "k" => nil})"#);
/// assert_eq!(term!(:ok), Term::atom("ok"));
/// assert_eq!(term!(()), Term::Tuple(vec![]));
/// ```
#[macro_export]
macro_rules! term {
    // A comma-separated sequence, pushed one term at a time onto `$v`.
    (@seq $v:ident [$($cur:tt)*]) => {
        $crate::term!(@push $v [$($cur)*]);
    };
    (@seq $v:ident [$($cur:tt)*] , $($rest:tt)*) => {
        $crate::term!(@push $v [$($cur)*]);
        $crate::term!(@seq $v [] $($rest)*);
    };
    (@seq $v:ident [$($cur:tt)*] $t:tt $($rest:tt)*) => {
        $crate::term!(@seq $v [$($cur)* $t] $($rest)*);
    };
    (@push $v:ident []) => {};
    (@push $v:ident [$($t:tt)+]) => {
        $v.push($crate::term!($($t)+));
    };
    // A map's entries, pushed as pairs onto `$m`.
    (@map $m:ident [$($cur:tt)*]) => {
        $crate::term!(@entry $m [$($cur)*]);
    };
    (@map $m:ident [$($cur:tt)*] , $($rest:tt)*) => {
        $crate::term!(@entry $m [$($cur)*]);
        $crate::term!(@map $m [] $($rest)*);
    };
    (@map $m:ident [$($cur:tt)*] $t:tt $($rest:tt)*) => {
        $crate::term!(@map $m [$($cur)* $t] $($rest)*);
    };
    (@entry $m:ident []) => {};
    (@entry $m:ident [$k:ident : $($v:tt)+]) => {
        $m.push(($crate::Term::atom(stringify!($k)), $crate::term!($($v)+)));
    };
    (@entry $m:ident [$($t:tt)+]) => {
        $crate::term!(@arrow $m [] $($t)+);
    };
    (@arrow $m:ident [$($k:tt)+] => $($v:tt)+) => {
        $m.push(($crate::term!($($k)+), $crate::term!($($v)+)));
    };
    (@arrow $m:ident [$($k:tt)*] $t:tt $($rest:tt)*) => {
        $crate::term!(@arrow $m [$($k)* $t] $($rest)*);
    };
    // One term.
    (: $a:ident) => {
        $crate::Term::atom(stringify!($a))
    };
    (: $a:literal) => {
        $crate::Term::atom($a)
    };
    (nil) => {
        $crate::Term::nil()
    };
    (# { $($body:tt)* }) => {
        $crate::term!(% { $($body)* })
    };
    (% { $($body:tt)* }) => {{
        #[allow(unused_mut)]
        let mut pairs: ::std::vec::Vec<($crate::Term, $crate::Term)> = ::std::vec::Vec::new();
        $crate::term!(@map pairs [] $($body)*);
        $crate::Term::map(pairs)
    }};
    ([ $($body:tt)* ]) => {{
        #[allow(unused_mut)]
        let mut items: ::std::vec::Vec<$crate::Term> = ::std::vec::Vec::new();
        $crate::term!(@seq items [] $($body)*);
        $crate::Term::list(items)
    }};
    (( $($body:tt)* )) => {{
        #[allow(unused_mut)]
        let mut items: ::std::vec::Vec<$crate::Term> = ::std::vec::Vec::new();
        $crate::term!(@seq items [] $($body)*);
        $crate::Term::Tuple(items)
    }};
    ($e:expr) => {
        $crate::Term::from($e)
    };
}
