%% Memory of idle processes (erl -noshell -run idle_memory main 1000000):
%% spawns N processes that wait in a receive, in batches of 1,000 that each
%% report ready from inside the receive loop before the next batch starts.
%% The runner measures peak RSS and subtracts that of a run with N = 0.
%% Same as bench/reef/procs/idle_memory.reef.
-module(idle_memory).
-export([main/1]).

main(Args) ->
    N = arg(Args, 1, 1000000),
    Me = self(),
    T0 = now_us(),
    spawn_batches(N, Me),
    T1 = now_us(),
    metric("idle_procs", N, "procs"),
    if N > 0 -> metric("idle_spawn_ns", (T1 - T0) * 1000 / N, "ns");
       true -> ok
    end,
    halt(0).

spawn_batches(0, _Me) -> ok;
spawn_batches(N, Me) ->
    K = min(N, 1000),
    spawn_idle(K, Me),
    await_ready(K),
    spawn_batches(N - K, Me).

spawn_idle(0, _Me) -> ok;
spawn_idle(K, Me) ->
    spawn(fun() -> Me ! ready, idle() end),
    spawn_idle(K - 1, Me).

idle() -> receive stop -> ok end.

await_ready(0) -> ok;
await_ready(K) -> receive ready -> await_ready(K - 1) end.

now_us() -> erlang:monotonic_time(microsecond).

metric(Name, Value, Unit) -> io:format("metric ~s ~p ~s~n", [Name, Value, Unit]).

arg(Args, I, _Default) when length(Args) >= I -> list_to_integer(lists:nth(I, Args));
arg(_, _, Default) -> Default.
