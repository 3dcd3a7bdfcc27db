//! Reef with a real `erl`, both ways: every term kind, links, monitors,
//! `{Name, Node} ! Msg`, rpc, spawn, kill -9 either side, a cluster.

use std::time::Instant;

use super::detected;
use super::dist::Cluster;

/// The erl side's echo server, registered as `echo` (the same protocol
/// as peer.reef): it prints what it gets, and tries to call a fun.
const ERL_ECHO: &str = r#"
EchoLoop = fun Loop() ->
    receive
        {From, whoami} -> From ! {me, self()}, Loop();
        {From, X} ->
            case is_binary(X) andalso byte_size(X) > 1000 of
                true -> io:format("erl got a binary of ~p bytes~n", [byte_size(X)]);
                false -> io:format("erl got ~ts~n", [io_lib:print(X, 1, 1000000, -1)])
            end,
            case is_function(X, 1) of
                true ->
                    try X(1) of V -> io:format("erl called the reef fun: ~p~n", [V])
                    catch C:E -> io:format("erl cannot call the reef fun: ~p:~p~n", [C, E])
                    end;
                false -> ok
            end,
            From ! {echo, X},
            Loop()
    end
end,
register(echo, spawn(EchoLoop)),
io:format("erl echo ready~n"),
"#;

pub fn erl_terms_both_ways() {
    let c = Cluster::new();
    let r = c.peer(&c.full("r"));
    let script = r#"
R = 'REEF',
pong = net_adm:ping(R),
io:format("erl ping pong~n"),
Ts = [0, -1, 255, 256, 2147483647, -2147483649, 1000000000000000000000,
      -1000000000000000000000, 2.5, -1.25e-300, 1.0e300, ok,
      list_to_atom([233,116,233]), binary_to_atom(<<230,151,165,230,156,172>>, utf8),
      <<"str">>, <<>>, unicode:characters_to_binary([104,233,108,108,111]), <<255>>,
      <<0,1,2>>, {}, {1}, {1,a,<<"b">>}, [], [1,2,3], [1|2], [1,2|t], #{},
      #{a => 1, <<"k">> => [1,{2,3}]}, self(), make_ref(), fun lists:map/2, true, nil],
Echo = fun(T) -> {echo, R} ! {self(), T}, receive {echo, X} -> X after 5000 -> timeout end end,
lists:foreach(fun({I, T}) -> X = Echo(T), io:format("erl term ~p same=~p ~w~n", [I, X =:= T, X]) end,
              lists:zip(lists:seq(1, length(Ts)), Ts)),
io:format("erl terms ~p~n", [length(Ts)]),
F = fun(X) -> X * 2 end,
F2 = Echo(F),
io:format("erl fun back ~p~n", [F2(21)]),
Big = binary:copy(<<1,2,3,255>>, 500000),
io:format("erl big same=~p~n", [Echo(Big) =:= Big]),
"#
    .replace("REEF", &r.name)
        + ERL_ECHO
        + "receive stop -> ok after 60000 -> ok end.";
    let e = c.erl(&c.full("e"), &script);
    e.expect("erl ping pong", 20);
    let n: usize = e.expect("erl terms ", 20)["erl terms ".len()..]
        .parse()
        .unwrap();
    let same = e
        .out
        .lines()
        .iter()
        .filter(|l| l.starts_with("erl term ") && l.contains(" same=true "))
        .count();
    assert_eq!(same, n, "erl: every term comes back =:=\n{}", e.out.text());
    e.expect("erl fun back 42", 5);
    // How Reef's inspect shows what erl sent.
    for shown in [
        "peer got \"str\"",
        "peer got \"héllo\"",
        "peer got <<255>>",
        "peer got :\"été\"",
        "peer got :\"日本\"",
        "peer got (1, :a, \"b\")",
        "peer got [1, 2 | :t]",
        "peer got #{:a => 1, \"k\" => [1, (2, 3)]}",
        "peer got #Fn<lists.map/2>",
        "peer got 1000000000000000000000",
    ] {
        r.expect(shown, 5);
    }
    let p = r.expect("peer got #PID<", 5);
    assert!(!p.contains("#PID<0."), "{p}");

    // Reef -> erl.
    e.expect("erl echo ready", 10);
    let t = c.reef(&c.full("t"), "terms.reef", &[&e.name, "echo"]);
    let n: usize = t.expect("terms ", 20)["terms ".len()..].parse().unwrap();
    t.expect("terms done", 30);
    let same = t
        .out
        .lines()
        .iter()
        .filter(|l| l.starts_with("term ") && l.contains(" same=true "))
        .count();
    assert_eq!(
        same,
        n,
        "every term comes back from erl equal:\n{}",
        t.out.text()
    );
    for shown in [
        "erl got <<\"str\">>",
        "erl got <<0,1,2>>",
        "erl got {1,a,<<\"b\">>}",
        "erl got [1,2|t]",
        "erl got 1000000000000000000000",
        "erl got {}",
    ] {
        e.expect(shown, 5);
    }
    // A Reef closure on erl: a fun erl cannot call; nothing crashes, and
    // it comes back to Reef still callable.
    let l = e.expect("erl cannot call the reef fun", 5);
    println!("dist figure: a Reef closure called on erl: {l}");
    t.expect("closure back callable=50", 5);
    // Big ones, both ways (fragmented on the wire).
    e.expect("erl big same=true", 20);
    let big = c.reef(&c.full("big"), "big.reef", &[&e.name, "echo"]);
    big.expect("big 2097152 same=true", 60);
    big.expect("big 1048576 same=true", 60);
    e.expect("erl got a binary of 2097152 bytes", 5);
}

pub fn erl_links_monitors_rpc_spawn() {
    let c = Cluster::new();
    let r = c.peer(&c.full("r"));
    let script = r#"
R = 'REEF', Me = self(),
T = 5000,
pong = net_adm:ping(R),
process_flag(trap_exit, true),
P1 = spawn_link(R, helper, crash_after, [200, boom]),
receive {'EXIT', P1, Why1} -> io:format("erl trapped EXIT ~p~n", [Why1]) after T -> io:format("timeout 1~n") end,
L = spawn(fun() -> P2 = spawn(R, helper, crash_after, [300, boom2]), link(P2), receive never -> ok end end),
ML = monitor(process, L),
receive {'DOWN', ML, process, L, Why2} -> io:format("erl process killed by reef crash ~p~n", [Why2]) after T -> io:format("timeout 2~n") end,
Bomb = spawn(fun() -> receive die -> exit(erl_boom) end end),
spawn(R, helper, link_to, [Bomb, Me]),
R2 = receive {linked, X2} -> X2 after T -> none end,
M2 = monitor(process, R2),
Bomb ! die,
receive {'DOWN', M2, process, R2, Why3} -> io:format("reef process killed by erl crash ~p~n", [Why3]) after T -> io:format("timeout 3~n") end,
W = spawn(R, helper, crash_after, [300, bye]),
MW = monitor(process, W),
receive {'DOWN', MW, process, W, Why4} -> io:format("erl monitor DOWN ~p~n", [Why4]) after T -> io:format("timeout 4~n") end,
Loc = spawn(fun() -> receive go -> exit(erl_reason) end end),
spawn(R, helper, monitor_report, [Loc, Me]),
receive {monitoring, _} -> ok after T -> io:format("timeout 5~n") end,
Loc ! go,
receive {reef_saw_down, Loc, Why5} -> io:format("reef monitor DOWN ~p~n", [Why5]) after T -> io:format("timeout 6~n") end,
Tr = spawn(R, helper, trap_report, [Me]),
receive {trapping, Tr} -> ok after T -> io:format("timeout 7~n") end,
exit(Tr, from_erl),
receive {got_exit, Me, Why6} -> io:format("reef trapped exit/2 ~p~n", [Why6]) after T -> io:format("timeout 8~n") end,
{echo, R} ! {Me, hello_by_name},
receive {echo, hello_by_name} -> io:format("erl name send ok~n") after T -> io:format("timeout 9~n") end,
io:format("rpc ok ~p~n", [rpc:call(R, lists, reverse, [[1,2,3]])]),
io:format("rpc error ~w~n", [rpc:call(R, helper, fail, [])]),
io:format("rpc undef ~w~n", [rpc:call(R, nosuch, f, [])]),
erlang:spawn(R, helper, reply, [Me, from_erl_spawn]),
receive {reply, from_erl_spawn, SP} -> io:format("erl spawn ran on ~p~n", [node(SP)]) after T -> io:format("timeout 10~n") end,
io:format("erl done~n"),
halt().
"#
    .replace("REEF", &r.name);
    let e = c.erl(&c.full("e"), &script);
    e.expect("erl trapped EXIT boom", 20);
    e.expect("erl process killed by reef crash boom2", 10);
    e.expect("reef process killed by erl crash erl_boom", 10);
    e.expect("erl monitor DOWN bye", 10);
    e.expect("reef monitor DOWN erl_reason", 10);
    e.expect("reef trapped exit/2 from_erl", 10);
    e.expect("erl name send ok", 10);
    e.expect("rpc ok [3,2,1]", 10);
    let l = e.expect("rpc error ", 10);
    assert!(l.contains("{badrpc,{'EXIT',{on_purpose,"), "{l}");
    let l = e.expect("rpc undef ", 10);
    // Reef's undef reason is (:undef, (m, f, arity)), not Erlang's bare
    // `undef` with the call on top of the stack.
    assert!(l.contains("{badrpc,{'EXIT',{{undef,{nosuch,f,0}},"), "{l}");
    e.expect(&format!("erl spawn ran on '{}'", r.name), 10);
    e.expect("erl done", 10);
    e.refute("timeout");
}

pub fn erl_sees_reef_node_killed() {
    let c = Cluster::new();
    let mut r = c.peer(&c.full("r"));
    let script = r#"
R = 'REEF',
pong = net_adm:ping(R),
process_flag(trap_exit, true),
P = spawn_link(R, helper, wait_forever, []),
Q = spawn(R, helper, wait_forever, []),
MQ = monitor(process, Q),
monitor_node(R, true),
io:format("erl armed~n"),
Loop = fun L(0) -> ok;
           L(N) ->
               receive
                   {'EXIT', P, W} -> io:format("erl EXIT ~p~n", [W]);
                   {'DOWN', MQ, process, Q, W} -> io:format("erl DOWN ~p~n", [W]);
                   {nodedown, Nd} -> io:format("erl nodedown ~p~n", [Nd])
               after 10000 -> io:format("erl timeout~n")
               end,
               L(N - 1)
       end,
Loop(3),
halt().
"#
    .replace("REEF", &r.name);
    let e = c.erl(&c.full("e"), &script);
    e.expect("erl armed", 20);
    let t0 = Instant::now();
    r.kill9();
    let (t, _) = e.expect_at("erl EXIT noconnection", 10);
    detected("erl: link EXIT noconnection", t0, t);
    let (t, _) = e.expect_at("erl DOWN noconnection", 10);
    detected("erl: monitor DOWN noconnection", t0, t);
    let (t, _) = e.expect_at(&format!("erl nodedown '{}'", r.name), 10);
    detected("erl: nodedown", t0, t);
}

pub fn reef_sees_erl_node_killed() {
    let c = Cluster::new();
    let script = ERL_ECHO.to_string() + "receive stop -> ok after 60000 -> ok end.";
    let mut e = c.erl(&c.full("e"), &script);
    e.expect("erl echo ready", 20);
    let w = c.reef(&c.full("w"), "watch.reef", &[&e.name]);
    let l = w.expect("armed #PID<", 20);
    assert!(!l.contains("#PID<0."), "{l}");
    let t0 = Instant::now();
    e.kill9();
    let (t, _) = w.expect_at("link EXIT :noconnection", 10);
    detected("reef: link EXIT :noconnection from erl", t0, t);
    let (t, _) = w.expect_at("monitor DOWN :noconnection", 10);
    detected("reef: monitor DOWN :noconnection from erl", t0, t);
    let (t, _) = w.expect_at(&format!("nodedown {}", e.name), 10);
    detected("reef: nodedown of erl", t0, t);
}

pub fn reef_joins_erl_cluster() {
    let c = Cluster::new();
    let e1 = c.erl(
        &c.full("e1"),
        "io:format(\"e1 up~n\"), receive stop -> ok after 60000 -> ok end.",
    );
    e1.expect("e1 up", 20);
    let script = format!(
        "pong = net_adm:ping('{}'), io:format(\"e2 connected~n\"), receive stop -> ok after 60000 -> ok end.",
        e1.name
    );
    let e2 = c.erl(&c.full("e2"), &script);
    e2.expect("e2 connected", 20);
    let j = c.reef(&c.full("j"), "join.reef", &[&e1.name, &e2.name]);
    j.expect("connect true", 20);
    let after_one = j.expect("after one ", 5);
    println!("dist figure: erl cluster: after connecting to one: {after_one}");
    let l = j.expect("nodes ", 10);
    assert!(l.ends_with("both=true"), "{l}");
}
