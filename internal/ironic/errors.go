package ironic

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
)

// IsNotFound reports whether err is Ironic's 404.
func IsNotFound(err error) bool { return gophercloud.ResponseCodeIs(err, http.StatusNotFound) }

// StatusCode returns the HTTP status of an API error, or 0.
func StatusCode(err error) int {
	var e gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &e) {
		return e.Actual
	}
	var pe *gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &pe) {
		return pe.Actual
	}
	return 0
}

// Message returns Ironic's own words for an API error (its faultstring) with the HTTP
// status, or err's text for anything else.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var body []byte
	var e gophercloud.ErrUnexpectedResponseCode
	var pe *gophercloud.ErrUnexpectedResponseCode
	switch {
	case errors.As(err, &e):
		body = e.Body
	case errors.As(err, &pe):
		body = pe.Body
	default:
		return err.Error()
	}
	if fault := faultString(body); fault != "" {
		return fault + " (HTTP " + itoa(StatusCode(err)) + ")"
	}
	return err.Error()
}

// faultString digs the message out of Ironic's error body, where error_message is
// itself a JSON document encoded as a string.
func faultString(body []byte) string {
	var outer struct {
		ErrorMessage json.RawMessage `json:"error_message"`
		// The http_basic middleware answers {"error": {"message": ..., "code": 401}}.
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &outer) != nil {
		return ""
	}
	if len(outer.ErrorMessage) == 0 {
		return strings.TrimSpace(outer.Error.Message)
	}
	var inner struct {
		Faultstring string `json:"faultstring"`
	}
	var asString string
	if json.Unmarshal(outer.ErrorMessage, &asString) == nil {
		if json.Unmarshal([]byte(asString), &inner) == nil && inner.Faultstring != "" {
			return strings.TrimSpace(inner.Faultstring)
		}
		return strings.TrimSpace(asString)
	}
	if json.Unmarshal(outer.ErrorMessage, &inner) == nil {
		return strings.TrimSpace(inner.Faultstring)
	}
	return ""
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}
