//! Embedding benchmarks: the same three jobs done by Reef, mlua (Lua 5.4,
//! vendored) and rhai, printed as a table.
//!
//! 1. Host→script call round trip: the host calls a script function
//!    `add(1, 2)` and gets the result (Reef `Vm::call`, mlua
//!    `Function::call`, rhai `Engine::call_fn`).
//! 2. A typed native call from the script: a script loop calls the host's
//!    `add(acc, 1)` N times; per call, less the same loop doing `acc + 1`.
//! 3. serde of a 1,000-field structure: Rust struct → script value, and
//!    back.
//!
//! Each figure is the best of 5 rounds. Run with `bench/embed/run`.

mod big;

use std::time::{Duration, Instant};

use big::Big;
use mlua::{Function, Lua, LuaSerdeExt};
use reef_vm::{from_term, term, to_term, Vm};
use rhai::{Engine, Scope};

const ROUNDS: usize = 5;

/// The best time of `ROUNDS` rounds of `n` runs of `f`, per run.
fn per_op(n: u32, mut f: impl FnMut()) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed() / n
        })
        .min()
        .expect("rounds")
}

/// The best of `ROUNDS` timings of one run of `f`.
fn best(mut f: impl FnMut()) -> Duration {
    (0..ROUNDS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .expect("rounds")
}

fn ns(d: Duration) -> String {
    let n = d.as_secs_f64() * 1e9;
    if n >= 10_000.0 {
        format!("{:.1} µs", n / 1000.0)
    } else {
        format!("{n:.0} ns")
    }
}

fn per_call(loop_with: Duration, loop_without: Duration, n: u32) -> String {
    let d = loop_with.saturating_sub(loop_without).as_secs_f64() * 1e9 / f64::from(n);
    format!("{d:.1} ns")
}

const REEF: &str = r#"
pub fn add(a, b) { a + b }
pub fn native_loop(0, acc) { acc }
pub fn native_loop(n, acc) { native_loop(n - 1, host.add(acc, 1)) }
pub fn plain_loop(0, acc) { acc }
pub fn plain_loop(n, acc) { plain_loop(n - 1, acc + 1) }
"#;

const LUA: &str = r#"
function add(a, b) return a + b end
function native_loop(n) local acc = 0 for i = 1, n do acc = hadd(acc, 1) end return acc end
function plain_loop(n) local acc = 0 for i = 1, n do acc = acc + 1 end return acc end
"#;

const RHAI: &str = r#"
fn add(a, b) { a + b }
fn native_loop(n) { let acc = 0; for i in 0..n { acc = hadd(acc, 1); } acc }
fn plain_loop(n) { let acc = 0; for i in 0..n { acc = acc + 1; } acc }
"#;

const CALLS: u32 = 20_000;
const LOOP: u32 = 1_000_000;
const SERDE: u32 = 200;

struct Row {
    what: &'static str,
    reef: String,
    lua: String,
    rhai: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rows = Vec::new();

    // Reef.
    let vm = Vm::builder().env_path(false).build();
    vm.register_fn("host", "add", |a: i64, b: i64| a + b);
    vm.load_source("b", "b.reef", REEF)?;
    assert_eq!(vm.call("b", "add", vec![term!(1), term!(2)])?, term!(3));
    let reef_call = per_op(CALLS, || {
        let r = vm.call("b", "add", vec![term!(1), term!(2)]).unwrap();
        assert_eq!(r.as_int(), Some(3));
    });
    let reef_loop = |f: &str| {
        best(|| {
            let r = vm.call("b", f, vec![term!(LOOP), term!(0)]).unwrap();
            assert_eq!(r.as_int(), Some(i64::from(LOOP)));
        })
    };
    let (reef_native, reef_plain) = (reef_loop("native_loop"), reef_loop("plain_loop"));

    // mlua.
    let lua = Lua::new();
    lua.globals().set(
        "hadd",
        lua.create_function(|_, (a, b): (i64, i64)| Ok(a + b))?,
    )?;
    lua.load(LUA).exec()?;
    let add: Function = lua.globals().get("add")?;
    let lua_call = per_op(CALLS, || {
        assert_eq!(add.call::<i64>((1, 2)).unwrap(), 3);
    });
    let lua_loop = |f: &str| {
        let f: Function = lua.globals().get(f).unwrap();
        best(|| assert_eq!(f.call::<i64>(LOOP).unwrap(), i64::from(LOOP)))
    };
    let (lua_native, lua_plain) = (lua_loop("native_loop"), lua_loop("plain_loop"));

    // rhai.
    let mut engine = Engine::new();
    engine.register_fn("hadd", |a: i64, b: i64| a + b);
    engine.set_max_expr_depths(0, 0);
    let ast = engine.compile(RHAI)?;
    let mut scope = Scope::new();
    let rhai_call = per_op(CALLS, || {
        let r: i64 = engine
            .call_fn(&mut scope, &ast, "add", (1_i64, 2_i64))
            .unwrap();
        assert_eq!(r, 3);
    });
    let mut rhai_loop = |f: &str| {
        best(|| {
            let r: i64 = engine
                .call_fn(&mut scope, &ast, f, (i64::from(LOOP),))
                .unwrap();
            assert_eq!(r, i64::from(LOOP));
        })
    };
    let (rhai_native, rhai_plain) = (rhai_loop("native_loop"), rhai_loop("plain_loop"));

    rows.push(Row {
        what: "host→script call round trip (add(1, 2))",
        reef: ns(reef_call),
        lua: ns(lua_call),
        rhai: ns(rhai_call),
    });
    rows.push(Row {
        what: "typed native call from the script (per call)",
        reef: per_call(reef_native, reef_plain, LOOP),
        lua: per_call(lua_native, lua_plain, LOOP),
        rhai: per_call(rhai_native, rhai_plain, LOOP),
    });
    rows.push(Row {
        what: "  the script loop alone (per iteration)",
        reef: ns(reef_plain / LOOP),
        lua: ns(lua_plain / LOOP),
        rhai: ns(rhai_plain / LOOP),
    });

    // serde of 1,000 fields.
    let big = Big::sample();
    let t = to_term(&big)?;
    assert_eq!(from_term::<Big>(&t)?, big);
    let reef_to = per_op(SERDE, || drop(to_term(&big).unwrap()));
    let reef_from = per_op(SERDE, || drop(from_term::<Big>(&t).unwrap()));
    let lv = lua.to_value(&big)?;
    assert_eq!(lua.from_value::<Big>(lv.clone())?, big);
    let lua_to = per_op(SERDE, || drop(lua.to_value(&big).unwrap()));
    let lua_from = per_op(SERDE, || drop(lua.from_value::<Big>(lv.clone()).unwrap()));
    let d = rhai::serde::to_dynamic(&big)?;
    assert_eq!(rhai::serde::from_dynamic::<Big>(&d)?, big);
    let rhai_to = per_op(SERDE, || drop(rhai::serde::to_dynamic(&big).unwrap()));
    let rhai_from = per_op(SERDE, || {
        drop(rhai::serde::from_dynamic::<Big>(&d).unwrap())
    });
    rows.push(Row {
        what: "serde: 1,000-field struct to a script value",
        reef: ns(reef_to),
        lua: ns(lua_to),
        rhai: ns(rhai_to),
    });
    rows.push(Row {
        what: "serde: 1,000-field struct from a script value",
        reef: ns(reef_from),
        lua: ns(lua_from),
        rhai: ns(rhai_from),
    });

    println!(
        "{:<46} {:>12} {:>12} {:>12}",
        "", "Reef", "mlua (5.4)", "rhai"
    );
    for r in rows {
        println!("{:<46} {:>12} {:>12} {:>12}", r.what, r.reef, r.lua, r.rhai);
    }
    println!(
        "\n(best of {ROUNDS} rounds; round trip over {CALLS} calls, native calls over a loop of {LOOP}, serde over {SERDE} conversions; {} Reef schedulers)",
        vm.schedulers()
    );
    Ok(())
}
