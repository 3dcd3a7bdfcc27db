%% Latency under load (erl -noshell -run fairness main 4 5000): Spinners
%% processes loop forever without receiving (the runner passes two per
%% scheduler) while the parent times N round trips to an echo process, each
%% on the monotonic clock. Prints the median, 99th percentile and worst round
%% trip in microseconds. Same as bench/reef/procs/fairness.reef.
-module(fairness).
-export([main/1]).

main(Args) ->
    Spinners = arg(Args, 1, 4),
    N = arg(Args, 2, 5000),
    start_spinners(Spinners),
    Echo = spawn(fun echo/0),
    timer:sleep(100),
    Sorted = lists:sort(round_trips(Echo, self(), N, [])),
    metric("fairness_p50_us", percentile(Sorted, N, 50), "us"),
    metric("fairness_p99_us", percentile(Sorted, N, 99), "us"),
    metric("fairness_max_us", lists:last(Sorted), "us"),
    halt(0).

start_spinners(0) -> ok;
start_spinners(K) ->
    spawn(fun() -> spin(0) end),
    start_spinners(K - 1).

spin(I) -> spin(I + 1).

echo() ->
    receive
        {From, K} ->
            From ! K,
            echo()
    end.

round_trips(_Echo, _Me, 0, Acc) -> Acc;
round_trips(Echo, Me, K, Acc) ->
    T0 = now_us(),
    Echo ! {Me, K},
    receive K -> ok end,
    Dt = now_us() - T0,
    round_trips(Echo, Me, K - 1, [Dt | Acc]).

%% The value below which P percent of the N sorted samples fall (0-based
%% index N * P div 100, as in the Reef version).
percentile(Sorted, N, P) -> lists:nth(min(N - 1, N * P div 100) + 1, Sorted).

now_us() -> erlang:monotonic_time(microsecond).

metric(Name, Value, Unit) -> io:format("metric ~s ~p ~s~n", [Name, Value, Unit]).

arg(Args, I, _Default) when length(Args) >= I -> list_to_integer(lists:nth(I, Args));
arg(_, _, Default) -> Default.
