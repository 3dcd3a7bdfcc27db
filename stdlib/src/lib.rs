//! The standard library modules written in Reef, embedded in the binary.
//!
//! The VM looks a module up here last, after the directory of the calling
//! file and the search path, and compiles it on first use (so a program
//! pays only for the modules it calls). To add a module, add its file to
//! `lib/` and one line to [`MODULES`].

/// Every embedded module: (module name, source text).
pub const MODULES: &[(&str, &str)] = &[
    ("io", include_str!("../lib/io.reef")),
    ("lists", include_str!("../lib/lists.reef")),
    ("maps", include_str!("../lib/maps.reef")),
    ("math", include_str!("../lib/math.reef")),
    ("file", include_str!("../lib/file.reef")),
    ("os", include_str!("../lib/os.reef")),
    ("json", include_str!("../lib/json.reef")),
    ("sets", include_str!("../lib/sets.reef")),
    ("regex", include_str!("../lib/regex.reef")),
    ("agent", include_str!("../lib/agent.reef")),
    ("registry", include_str!("../lib/registry.reef")),
    ("server", include_str!("../lib/server.reef")),
    ("supervisor", include_str!("../lib/supervisor.reef")),
    ("task", include_str!("../lib/task.reef")),
    ("node", include_str!("../lib/node.reef")),
    ("rex", include_str!("../lib/rex.reef")),
    ("erpc", include_str!("../lib/erpc.reef")),
    ("net_kernel", include_str!("../lib/net_kernel.reef")),
    ("user", include_str!("../lib/user.reef")),
    ("assertions", include_str!("../lib/assertions.reef")),
];

/// The declarations that document the built-in natives (functions written
/// in Rust, in the VM) of each module that has them: (module name, source
/// text). Each is a Reef file of `pub fn` stubs whose doc comments are the
/// natives' docs (spec 14.4); it is only read for its docs, never
/// compiled, and the doctest (tests/docs_tool.rs) checks that every
/// function it declares is a native of that name and arity.
pub const NATIVE_DOCS: &[(&str, &str)] = &[
    ("lists", include_str!("../natives/lists.reef")),
    ("maps", include_str!("../natives/maps.reef")),
    ("strings", include_str!("../natives/strings.reef")),
    ("bytes", include_str!("../natives/bytes.reef")),
    ("io", include_str!("../natives/io.reef")),
    ("kernel", include_str!("../natives/kernel.reef")),
    ("math", include_str!("../natives/math.reef")),
    ("node", include_str!("../natives/node.reef")),
    ("os", include_str!("../natives/os.reef")),
    ("path", include_str!("../natives/path.reef")),
    ("process", include_str!("../natives/process.reef")),
    ("random", include_str!("../natives/random.reef")),
    ("regex", include_str!("../natives/regex.reef")),
    ("sets", include_str!("../natives/sets.reef")),
    ("time", include_str!("../natives/time.reef")),
    ("timer", include_str!("../natives/timer.reef")),
    ("system", include_str!("../natives/system.reef")),
];

/// The declaration of the natives of module `name`, if it has one.
pub fn native_docs(name: &str) -> Option<&'static str> {
    NATIVE_DOCS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, src)| *src)
}

/// The source of the stdlib module `name`, if there is one.
pub fn source(name: &str) -> Option<&'static str> {
    MODULES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, src)| *src)
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_modules_have_no_source() {
        assert!(super::source("no_such_module").is_none());
        assert!(super::source("lists").is_some());
    }
}
