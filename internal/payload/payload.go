// Package payload is how casework encodes what it hands Temporal, and the
// budgets that keep every payload inside Temporal's limits.
package payload

import (
	"bytes"
	"encoding/json"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// Budgets, in encoded bytes. Temporal refuses a payload over 2 MB (the
// server's default blob limit) by failing or terminating the workflow that
// carries it, so nothing the API accepts may come near that: a case's
// input is carried again by every continue-as-new together with its state.
const (
	// MaxStartBytes bounds a new case's workflow input.
	MaxStartBytes = 1 << 20
	// MaxCommandBytes bounds one command.
	MaxCommandBytes = 256 << 10
)

// Converter is the data converter of every casework client and worker: the
// SDK's default, except that JSON is written without HTML escaping. The
// SDK's encoding/json default writes each <, > and & in user text as a
// six-byte \u escape, so a list of names holding markup could grow past
// the payload limit although its request was well under the body limit.
// The bytes decode the same either way, so histories written with the
// default converter replay unchanged.
var Converter = converter.NewCompositeDataConverter(
	converter.NewNilPayloadConverter(),
	converter.NewByteSlicePayloadConverter(),
	converter.NewProtoJSONPayloadConverter(),
	converter.NewProtoPayloadConverter(),
	plainJSON{converter.NewJSONPayloadConverter()},
)

// plainJSON is the SDK's JSON payload converter writing without HTML
// escaping; it reads exactly as the SDK's does.
type plainJSON struct {
	*converter.JSONPayloadConverter
}

// ToPayload encodes v as JSON without HTML escaping.
func (c plainJSON) ToPayload(v any) (*commonpb.Payload, error) {
	data, err := Encode(v)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", converter.ErrUnableToEncode, err)
	}
	return &commonpb.Payload{
		Metadata: map[string][]byte{converter.MetadataEncoding: []byte(c.Encoding())},
		Data:     data,
	}, nil
}

// Encode is v as Converter writes it.
func Encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// TooLarge reports, when v encoded is over limit bytes, how large it is.
func TooLarge(v any, limit int) (size int, over bool, err error) {
	b, err := Encode(v)
	if err != nil {
		return 0, false, err
	}
	return len(b), len(b) > limit, nil
}

// Bulk intake budgets: a batch file (POST /batches) holds at most
// MaxBatchRows disputes and MaxBatchBytes bytes; its rows go to PostgreSQL,
// never into a workflow's input or history.
const (
	MaxBatchRows  = 5000
	MaxBatchBytes = 1 << 20
)
