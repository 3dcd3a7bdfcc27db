%% Round trips between two processes (erl -noshell -run ping_pong main
%% 1000000): the parent sends {self(), K} to an echo process and waits for K
%% back, N times. Same as bench/reef/procs/ping_pong.reef.
-module(ping_pong).
-export([main/1]).

main(Args) ->
    N = arg(Args, 1, 1000000),
    Echo = spawn(fun echo/0),
    T0 = now_us(),
    ping(Echo, self(), N),
    T1 = now_us(),
    metric("ping_pong_ns", (T1 - T0) * 1000 / N, "ns"),
    halt(0).

echo() ->
    receive
        {From, K} ->
            From ! K,
            echo()
    end.

ping(_Echo, _Me, 0) -> ok;
ping(Echo, Me, K) ->
    Echo ! {Me, K},
    receive K -> ping(Echo, Me, K - 1) end.

now_us() -> erlang:monotonic_time(microsecond).

metric(Name, Value, Unit) -> io:format("metric ~s ~p ~s~n", [Name, Value, Unit]).

arg(Args, I, _Default) when length(Args) >= I -> list_to_integer(lists:nth(I, Args));
arg(_, _, Default) -> Default.
