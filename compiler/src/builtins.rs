//! The built-in functions callable without a module prefix. They are
//! imports of the module `kernel` (see ARCHITECTURE.md); the VM provides
//! them as natives.

/// `(name, arity)` of every auto-imported built-in.
pub const KERNEL: &[(&str, u32)] = &[
    // type tests
    ("is_int", 1),
    ("is_float", 1),
    ("is_number", 1),
    ("is_atom", 1),
    ("is_string", 1),
    ("is_binary", 1),
    ("is_list", 1),
    ("is_tuple", 1),
    ("is_map", 1),
    ("is_pid", 1),
    ("is_ref", 1),
    ("is_fn", 1),
    ("is_boolean", 1),
    // sizes and access
    ("len", 1),
    ("tuple_size", 1),
    ("map_size", 1),
    ("elem", 2),
    ("put_elem", 3),
    ("hd", 1),
    ("tl", 1),
    ("abs", 1),
    ("min", 2),
    ("max", 2),
    // bits (integers of any size, two's complement)
    ("band", 2),
    ("bor", 2),
    ("bxor", 2),
    ("bnot", 1),
    ("bsl", 2),
    ("bsr", 2),
    // conversions
    ("inspect", 1),
    ("to_string", 1),
    ("to_int", 1),
    ("to_float", 1),
    ("to_atom", 1),
    ("tuple_to_list", 1),
    ("list_to_tuple", 1),
    // errors
    ("error", 1),
    ("throw", 1),
    ("exit", 1),
    ("raise", 3),
    ("exit", 2),
    // functions
    ("apply", 2),
    ("apply", 3),
    // processes
    ("spawn", 1),
    ("spawn", 4),
    ("spawn_link", 1),
    ("spawn_link", 4),
    ("spawn_monitor", 1),
    ("spawn_monitor", 4),
    ("self", 0),
    ("send", 2),
    ("link", 1),
    ("unlink", 1),
    ("monitor", 1),
    ("demonitor", 1),
    ("demonitor", 2),
    ("make_ref", 0),
    ("register", 2),
    ("unregister", 1),
    ("whereis", 1),
    ("sleep", 1),
    ("node", 0),
    ("node", 1),
    ("nodes", 0),
    ("flush", 0),
    ("halt", 0),
    ("halt", 1),
    // tests (spec 14.2): see [`ASSERTIONS`]
    ("assert", 1),
    ("assert_eq", 2),
    ("assert_ne", 2),
    ("assert_raise", 2),
    ("flunk", 1),
    ("skip", 1),
];

/// The stdlib module that implements the assertion built-ins.
pub const ASSERTIONS_MODULE: &str = "assertions";

/// The assertion built-ins `(name, arity, carries_source)` (spec 14.2).
/// They are compiler-known so that a failure can show the assertion as it
/// was written: a call `assert_eq(a, b)` compiles to
/// `assertions.__assert_eq(a, b, SOURCE, FILE, LINE)`, the last three
/// literals taken from the call's span, when `carries_source`; `skip(reason)`
/// is a plain call of `assertions.skip/1`. A module's own function of the
/// same name and arity wins, as for every built-in.
pub const ASSERTIONS: &[(&str, u32, bool)] = &[
    ("assert", 1, true),
    ("assert_eq", 2, true),
    ("assert_ne", 2, true),
    ("assert_raise", 2, true),
    ("flunk", 1, true),
    ("skip", 1, false),
];

/// `Some(carries_source)` if `name/arity` is an assertion built-in.
pub fn assertion(name: &str, arity: usize) -> Option<bool> {
    ASSERTIONS
        .iter()
        .find(|&&(n, a, _)| n == name && a as usize == arity)
        .map(|&(_, _, s)| s)
}

/// Built-ins allowed in guards (besides operators): they never have side
/// effects. A guard that raises is simply false.
pub const GUARD_SAFE: &[&str] = &[
    "is_int",
    "is_float",
    "is_number",
    "is_atom",
    "is_string",
    "is_binary",
    "is_list",
    "is_tuple",
    "is_map",
    "is_pid",
    "is_ref",
    "is_fn",
    "is_boolean",
    "len",
    "tuple_size",
    "map_size",
    "elem",
    "hd",
    "tl",
    "abs",
    "min",
    "max",
    "band",
    "bor",
    "bxor",
    "bnot",
    "bsl",
    "bsr",
    "self",
    "node",
];

/// Is `name/arity` an auto-imported built-in?
pub fn is_kernel(name: &str, arity: usize) -> bool {
    KERNEL
        .iter()
        .any(|&(n, a)| n == name && a as usize == arity)
}

/// The arities under which `name` is a built-in.
pub fn kernel_arities(name: &str) -> Vec<u32> {
    KERNEL
        .iter()
        .filter(|(n, _)| *n == name)
        .map(|&(_, a)| a)
        .collect()
}

/// Is this a type test (always returns a boolean, never raises)?
pub fn is_type_test(name: &str) -> bool {
    name.starts_with("is_") && GUARD_SAFE.contains(&name)
}
