"""The core of workshop-kit: what a workshop is (deck, poll types, session rules, ids,
simulate) and where it is kept (the store). It imports neither the web server nor the print
layer, and both build on it."""
