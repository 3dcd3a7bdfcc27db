%% fib(N) by naive double recursion. erl -noshell -run fib main 32
-module(fib).
-export([main/1]).

main(Args) ->
    N = arg(Args, 32),
    io:format("fib(~w) = ~w~n", [N, fib(N)]),
    halt(0).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

arg([S | _], _) -> list_to_integer(S);
arg([], Default) -> Default.
