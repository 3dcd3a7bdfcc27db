%% Start-up time of the BEAM: a program that only prints.
%% (`erl -run hello main` with no arguments calls main/0.)
-module(hello).
-export([main/0, main/1]).

main() -> main([]).

main(_Args) ->
    io:format("hello, world~n"),
    halt(0).
