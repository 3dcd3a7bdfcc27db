%% Inserts the keys 7, 14, ..., 7N into a map, one maps:put at a time.
-module(map_insert).
-export([main/1]).

main(Args) ->
    N = arg(Args, 1000000),
    M = insert(1, N, #{}),
    io:format("size = ~w~n", [map_size(M)]),
    halt(0).

insert(I, N, M) when I > N -> M;
insert(I, N, M) -> insert(I + 1, N, maps:put(I * 7, I, M)).

arg([S | _], _) -> list_to_integer(S);
arg([], Default) -> Default.
