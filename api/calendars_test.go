package api

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casework/casework/policy"
)

func FuzzDecodePublishCalendar(f *testing.F) {
	seeds(f, `{"jurisdiction":"CN","year":2027,"source":"s","holidays":[{"date":"2027-01-01","name":"元旦"}],"workdays":[{"date":"2027-01-09","name":"调休"}]}`,
		`{"jurisdiction":"CN-52-QXN","year":2027,"source":"s","holidays":[]}`,
		`{"jurisdiction":"cn","year":1999,"source":"","holidays":[{"date":"2027-02-30","name":"\u0000"}]}`)
	reg, err := policy.Default()
	require.NoError(f, err)
	h := decoderAPI(func(in *publishCalendarInput) error {
		// What the handler checks after decoding must never panic either.
		if err := reg.CheckPublication(in.Body.year()); err != nil && !errors.Is(err, policy.ErrInvalidCalendar) && !errors.Is(err, policy.ErrUnknownJurisdiction) {
			return err
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, body []byte) { fuzzDecoder(t, h, body) })
}
