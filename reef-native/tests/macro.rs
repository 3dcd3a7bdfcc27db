//! `module!` through the ABI, as the VM calls it: the table, a call, a
//! raise, a bad argument and a panic, all by the `extern "C"` pointers.

use reef_native::abi::{self, Buffer};
use reef_native::{from_etf, to_etf, Binary};

reef_native::module! {
    "demo";

    /// Adds.
    fn add(a: i64, b: i64) -> i64 { a + b }

    fn halve(n: i64) -> Result<i64, (String, i64)> {
        if n % 2 == 0 { Ok(n / 2) } else { Err(("odd".into(), n)) }
    }

    fn size(data: Binary) -> usize { data.len() }

    fn boom(message: String) { panic!("{message}") }

    fn nothing() {}
}

/// Calls `name/arity` of the table with `args` (ETF), as the VM does.
fn call(name: &str, args: &[u8]) -> (i32, Vec<u8>) {
    let t = unsafe { &*reef_native_init() };
    let fs = unsafe { std::slice::from_raw_parts(t.functions, t.function_count) };
    let f = fs
        .iter()
        .find(|f| unsafe { std::slice::from_raw_parts(f.name as *const u8, f.name_len) } == name.as_bytes())
        .expect("listed");
    let mut out = Buffer::empty();
    let status = unsafe { (f.call.expect("call"))(args.as_ptr(), args.len(), &mut out) };
    let reply = unsafe { std::slice::from_raw_parts(out.ptr, out.len) }.to_vec();
    unsafe { (t.free.expect("free"))(out) };
    (status, reply)
}

#[test]
fn the_table_lists_the_functions() {
    let t = unsafe { &*reef_native_init() };
    assert_eq!(t.abi_version, abi::ABI_VERSION);
    assert_eq!(
        t.table_size as usize,
        std::mem::size_of::<abi::ModuleTable>()
    );
    let module = unsafe { std::slice::from_raw_parts(t.module as *const u8, t.module_len) };
    assert_eq!(module, b"demo");
    let fs = unsafe { std::slice::from_raw_parts(t.functions, t.function_count) };
    let listed: Vec<(String, u32)> = fs
        .iter()
        .map(|f| {
            let n = unsafe { std::slice::from_raw_parts(f.name as *const u8, f.name_len) };
            (String::from_utf8(n.to_vec()).unwrap(), f.arity)
        })
        .collect();
    let want = [
        ("add", 2),
        ("halve", 1),
        ("size", 1),
        ("boom", 1),
        ("nothing", 0),
    ];
    assert_eq!(listed, want.map(|(n, a)| (n.to_string(), a)));
}

#[test]
fn calls_raises_bad_arguments_and_panics() {
    assert_eq!(
        call("add", &to_etf(&(2, 40)).unwrap()),
        (abi::STATUS_OK, to_etf(&42).unwrap())
    );
    assert_eq!(
        call("halve", &to_etf(&(8,)).unwrap()),
        (abi::STATUS_OK, to_etf(&4).unwrap())
    );
    assert_eq!(
        call("halve", &to_etf(&(7,)).unwrap()),
        (abi::STATUS_RAISE, to_etf(&("odd", 7)).unwrap())
    );
    assert_eq!(
        call("size", &to_etf(&("héllo",)).unwrap()),
        (abi::STATUS_OK, to_etf(&6).unwrap())
    );
    // Arguments are a tuple: `nil` is not the empty argument list.
    assert_eq!(call("nothing", &to_etf(&()).unwrap()).0, abi::STATUS_RAISE);
    assert_eq!(
        call("nothing", &[131, 104, 0]),
        (abi::STATUS_OK, to_etf(&()).unwrap())
    );

    let (status, reply) = call("add", &to_etf(&(1, "x")).unwrap());
    assert_eq!(status, abi::STATUS_RAISE);
    // `(:badarg, why)`: the atom reads as a variant's name.
    #[derive(serde::Deserialize)]
    #[allow(non_camel_case_types)]
    enum Reason {
        badarg(String),
    }
    let Reason::badarg(why) = from_etf::<Reason>(&reply).expect("(:badarg, why)");
    assert_eq!(
        why,
        "demo.add/2, argument 2: invalid type: string \"x\", expected i64"
    );

    let (status, reply) = call("add", &to_etf(&(1,)).unwrap());
    assert_eq!(status, abi::STATUS_RAISE, "{reply:?}");

    let (status, reply) = call("boom", &to_etf(&("oops",)).unwrap());
    assert_eq!(status, abi::STATUS_PANIC);
    assert_eq!(from_etf::<String>(&reply).unwrap(), "oops");
}
