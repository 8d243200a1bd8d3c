package db

// Tenths exposes the rounding of rates and averages to the tests.
var Tenths = tenths
