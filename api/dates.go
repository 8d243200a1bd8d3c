package api

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/casework/casework/policy"
)

var dateType = reflect.TypeFor[policy.Date]()

// checkDates refuses a command or a new case holding a legal date outside
// the range casework supports, naming the field: one check at the two
// places everything from outside passes (openCase, sendCommand), so no
// due date of 9999-12-31 can reach a workflow and fail it there.
func checkDates(v any) error {
	if field, d, ok := unsupportedDate(reflect.ValueOf(v), ""); ok {
		return huma.Error422UnprocessableEntity(field + " " + d.String() + " is outside the dates casework supports (" +
			policy.FirstSupported.String() + " to " + policy.LastSupported.String() + ")")
	}
	return nil
}

// unsupportedDate finds the first non-zero date under v outside the
// supported range, with the JSON path to it.
func unsupportedDate(v reflect.Value, path string) (string, policy.Date, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", policy.Date{}, false
		}
		return unsupportedDate(v.Elem(), path)
	case reflect.Struct:
		if v.Type() == dateType {
			d := v.Interface().(policy.Date)
			if !d.IsZero() && !policy.Supported(d) {
				return path, d, true
			}
			return "", policy.Date{}, false
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := jsonName(f)
			if path != "" {
				name = path + "." + name
			}
			if p, d, ok := unsupportedDate(v.Field(i), name); ok {
				return p, d, true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, d, ok := unsupportedDate(v.Index(i), path+"["+strconv.Itoa(i)+"]"); ok {
				return p, d, true
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if p, d, ok := unsupportedDate(iter.Value(), path); ok {
				return p, d, true
			}
		}
	}
	return "", policy.Date{}, false
}

func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "" || name == "-" {
		return f.Name
	}
	return name
}
