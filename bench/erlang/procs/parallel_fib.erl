%% Parallel speed-up (erl +S 1 -noshell -run parallel_fib main 8 32): Procs
%% processes each compute the naive fib(N) and send it to the parent, which
%% waits for all. The runner runs it with +S 1 and +S 2.
%% Same as bench/reef/procs/parallel_fib.reef.
-module(parallel_fib).
-export([main/1]).

main(Args) ->
    Procs = arg(Args, 1, 8),
    N = arg(Args, 2, 32),
    Me = self(),
    T0 = now_us(),
    start(Procs, N, Me),
    Total = collect(Procs, 0),
    T1 = now_us(),
    io:format("fib(~w) * ~w = ~w~n", [N, Procs, Total]),
    metric("parallel_fib_ms", (T1 - T0) / 1000, "ms"),
    halt(0).

start(0, _N, _Me) -> ok;
start(K, N, Me) ->
    spawn(fun() -> Me ! {fib, fib(N)} end),
    start(K - 1, N, Me).

collect(0, Acc) -> Acc;
collect(K, Acc) -> receive {fib, X} -> collect(K - 1, Acc + X) end.

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

now_us() -> erlang:monotonic_time(microsecond).

metric(Name, Value, Unit) -> io:format("metric ~s ~p ~s~n", [Name, Value, Unit]).

arg(Args, I, _Default) when length(Args) >= I -> list_to_integer(lists:nth(I, Args));
arg(_, _, Default) -> Default.
