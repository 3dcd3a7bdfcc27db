%% Spawn cost over N processes (erl -noshell -run spawn_exit main 200000):
%% spawn_exit_ns (each returns at once; the clock stops when the process
%% count is back where it was, polled every 1 ms) and spawn_msg_ns (each
%% sends done to the parent, which waits for all N). Same as
%% bench/reef/procs/spawn_exit.reef.
-module(spawn_exit).
-export([main/1]).

main(Args) ->
    N = arg(Args, 1, 200000),
    Base = erlang:system_info(process_count),
    T0 = now_us(),
    spawn_exiting(N),
    wait_count(Base),
    T1 = now_us(),
    metric("spawn_exit_ns", (T1 - T0) * 1000 / N, "ns"),
    Me = self(),
    T2 = now_us(),
    spawn_senders(N, Me),
    await_done(N),
    T3 = now_us(),
    metric("spawn_msg_ns", (T3 - T2) * 1000 / N, "ns"),
    halt(0).

spawn_exiting(0) -> ok;
spawn_exiting(K) ->
    spawn(fun() -> ok end),
    spawn_exiting(K - 1).

wait_count(Base) ->
    case erlang:system_info(process_count) > Base of
        true -> timer:sleep(1), wait_count(Base);
        false -> ok
    end.

spawn_senders(0, _Me) -> ok;
spawn_senders(K, Me) ->
    spawn(fun() -> Me ! done end),
    spawn_senders(K - 1, Me).

await_done(0) -> ok;
await_done(K) -> receive done -> await_done(K - 1) end.

now_us() -> erlang:monotonic_time(microsecond).

metric(Name, Value, Unit) -> io:format("metric ~s ~p ~s~n", [Name, Value, Unit]).

arg(Args, I, _Default) when length(Args) >= I -> list_to_integer(lists:nth(I, Args));
arg(_, _, Default) -> Default.
