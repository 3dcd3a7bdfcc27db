//! Natives and host functions through the embedding API; output capture; bytecode loading.

use super::*;

#[test]
fn natives_through_the_api() {
    let vm = quiet_vm();
    let list = |xs: &[i64]| Term::list(xs.iter().map(|&i| int(i)).collect());
    let call = |m: &str, f: &str, args: Vec<Term>| vm.call(m, f, args).map(|t| t.to_string());
    assert_eq!(
        call("lists", "reverse", vec![list(&[1, 2, 3])]).unwrap(),
        "[3, 2, 1]"
    );
    assert_eq!(
        call("lists", "sort", vec![list(&[3, 1, 2])]).unwrap(),
        "[1, 2, 3]"
    );
    assert_eq!(
        call("lists", "seq", vec![int(1), int(4)]).unwrap(),
        "[1, 2, 3, 4]"
    );
    assert_eq!(
        call("lists", "nth", vec![list(&[5, 6]), int(1)]).unwrap(),
        "6"
    );
    assert!(call("lists", "nth", vec![list(&[5, 6]), int(2)])
        .unwrap_err()
        .report
        .contains(":badarg"));
    assert_eq!(call("lists", "sum", vec![list(&[1, 2, 3])]).unwrap(), "6");
    assert_eq!(
        call("lists", "zip", vec![list(&[1, 2]), list(&[3, 4, 5])]).unwrap(),
        "[(1, 3), (2, 4)]"
    );
    assert_eq!(
        call(
            "lists",
            "sort",
            vec![Term::list(vec![Term::Float(1.0), int(1), int(0)])]
        )
        .unwrap(),
        "[0, 1.0, 1]"
    );
    assert_eq!(call("kernel", "sleep", vec![int(5)]).unwrap(), ":ok");
    assert_eq!(
        call("kernel", "to_float", vec![Term::from("7")]).unwrap(),
        "7.0"
    );
    assert!(call("kernel", "to_float", vec![Term::from("1e3")]).is_err());
    assert!(call("kernel", "to_int", vec![Term::from(" 7")]).is_err());
    assert_eq!(
        call("lists", "take", vec![list(&[1, 2, 3]), int(2)]).unwrap(),
        "[1, 2]"
    );
    assert_eq!(
        call("lists", "drop", vec![list(&[1, 2, 3]), int(2)]).unwrap(),
        "[3]"
    );
    assert_eq!(call("lists", "last", vec![list(&[1, 2, 3])]).unwrap(), "3");
    assert_eq!(
        call("lists", "append", vec![list(&[1]), list(&[2])]).unwrap(),
        "[1, 2]"
    );
    assert_eq!(
        call("kernel", "len", vec![Term::from("héllo")]).unwrap(),
        "5"
    );
    assert_eq!(
        call(
            "kernel",
            "elem",
            vec![Term::Tuple(vec![int(1), int(2)]), int(1)]
        )
        .unwrap(),
        "2"
    );
    assert_eq!(
        call("kernel", "to_int", vec![Term::from("-42")]).unwrap(),
        "-42"
    );
    assert_eq!(
        call("kernel", "to_int", vec![Term::Float(-3.7)]).unwrap(),
        "-3"
    );
    assert!(call("kernel", "to_int", vec![Term::from("4x")]).is_err());
    assert_eq!(
        call("kernel", "to_float", vec![Term::from("2.5")]).unwrap(),
        "2.5"
    );
    assert_eq!(
        call("kernel", "inspect", vec![Term::from("a")]).unwrap(),
        "\"\\\"a\\\"\""
    );
    assert_eq!(
        call("kernel", "to_string", vec![Term::atom("ok")]).unwrap(),
        "\"ok\""
    );
    assert_eq!(
        call("kernel", "max", vec![int(1), Term::atom("a")]).unwrap(),
        ":a"
    );
    assert_eq!(
        call(
            "kernel",
            "apply",
            vec![
                Term::Fun {
                    module: "lists".into(),
                    name: "reverse".into(),
                    arity: 1
                },
                Term::list(vec![list(&[1, 2])])
            ]
        )
        .unwrap(),
        "[2, 1]"
    );
    assert_eq!(
        call(
            "kernel",
            "apply",
            vec![
                Term::atom("math"),
                Term::atom("pow"),
                Term::list(vec![int(2), int(100)])
            ]
        )
        .unwrap(),
        "1267650600228229401496703205376"
    );
    assert_eq!(call("math", "pow", vec![int(2), int(-1)]).unwrap(), "0.5");
    assert_eq!(call("math", "sqrt", vec![int(16)]).unwrap(), "4.0");
    assert!(call("math", "sqrt", vec![int(-1)])
        .unwrap_err()
        .report
        .contains(":badarith"));
    assert_eq!(call("math", "round", vec![Term::Float(2.5)]).unwrap(), "3");
    assert_eq!(
        call("math", "floor", vec![Term::Float(-2.5)]).unwrap(),
        "-3"
    );
    assert_eq!(
        call(
            "strings",
            "split",
            vec![Term::from("a,b,,c"), Term::from(",")]
        )
        .unwrap(),
        "[\"a\", \"b\", \"\", \"c\"]"
    );
    assert_eq!(
        call(
            "strings",
            "join",
            vec![
                Term::list(vec![Term::from("a"), Term::from("b")]),
                Term::from("-")
            ]
        )
        .unwrap(),
        "\"a-b\""
    );
    assert_eq!(
        call(
            "strings",
            "join",
            vec![Term::list(vec![int(1), Term::atom("x")]), Term::from(", ")]
        )
        .unwrap(),
        "\"1, x\""
    );
    assert!(call("strings", "split", vec![Term::from("ab"), Term::from("")]).is_err());
    assert_eq!(
        call("strings", "upcase", vec![Term::from("straße")]).unwrap(),
        "\"STRASSE\""
    );
    assert_eq!(
        call(
            "strings",
            "slice",
            vec![Term::from("héllo"), int(1), int(3)]
        )
        .unwrap(),
        "\"éll\""
    );
    assert_eq!(
        call(
            "strings",
            "replace",
            vec![Term::from("aXbXc"), Term::from("X"), Term::from("--")]
        )
        .unwrap(),
        "\"a--b--c\""
    );
    assert_eq!(
        call("strings", "reverse", vec![Term::from("abc")]).unwrap(),
        "\"cba\""
    );
    assert_eq!(
        call("strings", "chars", vec![Term::from("hé")]).unwrap(),
        "[\"h\", \"é\"]"
    );
    assert_eq!(
        call(
            "strings",
            "to_int",
            vec![Term::from("123456789012345678901234567890")]
        )
        .unwrap(),
        "123456789012345678901234567890"
    );
    assert_eq!(
        call(
            "strings",
            "index_of",
            vec![Term::from("héllo"), Term::from("l")]
        )
        .unwrap(),
        "2"
    );
    let m = Term::Map(vec![(Term::atom("a"), int(1))]);
    assert_eq!(
        call("maps", "put", vec![m.clone(), Term::atom("b"), int(2)]).unwrap(),
        "#{:a => 1, :b => 2}"
    );
    assert_eq!(
        call("maps", "get", vec![m.clone(), Term::atom("a")]).unwrap(),
        "1"
    );
    assert!(call("maps", "get", vec![m.clone(), Term::atom("z")])
        .unwrap_err()
        .report
        .contains("(:badkey, :z)"));
    assert_eq!(
        call("maps", "get", vec![m.clone(), Term::atom("z"), int(0)]).unwrap(),
        "0"
    );
    assert!(call("maps", "size", vec![int(1)])
        .unwrap_err()
        .report
        .contains("(:badmap, 1)"));
    let m2 = Term::Map(vec![(Term::atom("a"), int(9)), (Term::atom("c"), int(3))]);
    assert_eq!(
        call("maps", "merge", vec![m.clone(), m2]).unwrap(),
        "#{:a => 9, :c => 3}"
    );
    assert_eq!(call("maps", "to_list", vec![m]).unwrap(), "[(:a, 1)]");
}

#[test]
fn io_writes_to_the_chosen_output() {
    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let vm = Vm::builder().env_path(false).stdout(buf.clone()).build();
    vm.call("io", "println", vec![Term::from("hi")]).unwrap();
    vm.call("io", "println", vec![Term::atom("ok")]).unwrap();
    vm.call("io", "inspect", vec![Term::from("q")]).unwrap();
    vm.call(
        "io",
        "print",
        vec![Term::Tuple(vec![int(1), Term::Float(1e20)])],
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap(),
        "hi\nok\n\"q\"\n(1, 1.0e20)"
    );
}

#[test]
fn host_natives_and_bytecode_loading() {
    let vm = quiet_vm();
    // SAFETY: the native keeps nothing and returns a fresh value.
    unsafe {
        vm.register_native("host", "double", 1, |_, a| match &a[0] {
            Value::Int(i) => Ok(Value::Int(i * 2)),
            _ => Err(crate::Exception::badarg()),
        });
    }
    assert_eq!(vm.call("host", "double", vec![int(21)]).unwrap(), int(42));
    let bytes = reef_bytecode::encode::encode_module(&fib_module());
    assert_eq!(vm.load_bytecode(&bytes).unwrap(), "fibm");
    assert_eq!(vm.call("fibm", "fib", vec![int(10)]).unwrap(), int(55));
    assert!(vm.load_bytecode(&bytes[..10]).is_err());
}
