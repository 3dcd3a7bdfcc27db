%% Selective receive past a long mailbox (erl -noshell -run
%% selective_receive main 10000 10000 200000): selective_skip_ns is the cost
%% per skipped message of receiving {want, _} behind Queued {junk, I};
%% ref_receive_10k_ns / ref_receive_100k_ns the cost per receive of a message
%% tagged with a fresh make_ref() behind 10,000 / 100,000 of them (the
%% compiler's receive marker makes it skip the old ones), and
%% ref_receive_growth the second over the first.
%% Same as bench/reef/procs/selective_receive.reef.
-module(selective_receive).
-export([main/1]).

main(Args) ->
    Queued = arg(Args, 1, 10000),
    Iters = arg(Args, 2, 10000),
    RefIters = arg(Args, 3, 200000),
    fill(0, Queued),
    T0 = now_us(),
    skip_loop(Iters),
    T1 = now_us(),
    metric("selective_skip_ns", (T1 - T0) * 1000 / (Iters * Queued), "ns"),
    fill(Queued, 10000),
    Small = ref_time(RefIters),
    metric("ref_receive_10k_ns", Small, "ns"),
    fill(10000, 100000),
    Large = ref_time(RefIters),
    metric("ref_receive_100k_ns", Large, "ns"),
    metric("ref_receive_growth", Large / Small, "x"),
    halt(0).

fill(Have, Want) when Have >= Want -> ok;
fill(Have, Want) ->
    self() ! {junk, Have},
    fill(Have + 1, Want).

skip_loop(0) -> ok;
skip_loop(K) ->
    self() ! {want, K},
    receive {want, _} -> skip_loop(K - 1) end.

ref_time(Iters) ->
    T0 = now_us(),
    ref_loop(Iters),
    T1 = now_us(),
    (T1 - T0) * 1000 / Iters.

ref_loop(0) -> ok;
ref_loop(K) ->
    R = make_ref(),
    self() ! {R, K},
    receive {R, _} -> ref_loop(K - 1) end.

now_us() -> erlang:monotonic_time(microsecond).

metric(Name, Value, Unit) -> io:format("metric ~s ~p ~s~n", [Name, Value, Unit]).

arg(Args, I, _Default) when length(Args) >= I -> list_to_integer(lists:nth(I, Args));
arg(_, _, Default) -> Default.
