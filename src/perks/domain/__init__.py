"""The pure model: no I/O, no clock, no framework. Time arrives as an argument."""
