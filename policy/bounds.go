package policy

// The legal dates casework accepts from outside. Deadline arithmetic adds
// periods of years to a date (five-year re-checks, two-year windows), so a
// date near the end of what the calendar can write (9999-12-31) would carry
// a case past it; every date a person enters stays inside this range, and
// arithmetic from it never leaves what Date can represent.
var (
	FirstSupported = NewDate(1900, 1, 1)
	LastSupported  = NewDate(2199, 12, 31)
)

// Supported reports whether d is inside the range casework accepts.
func Supported(d Date) bool {
	return !d.Before(FirstSupported) && !d.After(LastSupported)
}
