%% Builds the map of map_insert, then looks every key up and sums the values.
%% Prints the lookup phase's own time (bench/run reads it).
-module(map_lookup).
-export([main/1]).

main(Args) ->
    N = arg(Args, 1000000),
    M = insert(1, N, #{}),
    T0 = erlang:monotonic_time(microsecond),
    Sum = lookup(1, N, M, 0),
    T1 = erlang:monotonic_time(microsecond),
    io:format("size = ~w, sum = ~w~n", [map_size(M), Sum]),
    io:format("lookup_us ~w~n", [T1 - T0]),
    halt(0).

insert(I, N, M) when I > N -> M;
insert(I, N, M) -> insert(I + 1, N, maps:put(I * 7, I, M)).

lookup(I, N, _M, Acc) when I > N -> Acc;
lookup(I, N, M, Acc) -> lookup(I + 1, N, M, Acc + maps:get(I * 7, M)).

arg([S | _], _) -> list_to_integer(S);
arg([], Default) -> Default.
