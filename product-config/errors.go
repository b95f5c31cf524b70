package productconfig

import (
	"errors"
	"fmt"
)

// Error codes carried by *Error; a web layer maps them to HTTP statuses once.
const (
	EINVALID  = "invalid"  // the catalogue, a file or a request is malformed
	ECONFLICT = "conflict" // the request contradicts the catalogue's rules
	ENOTFOUND = "not_found"
	EINTERNAL = "internal"
)

// Error is the package's domain error: a code plus a human-readable message
// that names the offending element (option, rule, line).
type Error struct {
	Code    string
	Message string
	// Rules lists the rule or group ids responsible, for conflict errors.
	Rules []string
}

// Error implements the error interface.
func (e *Error) Error() string { return "productconfig: " + e.Message }

// Errorf builds an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// other non-nil errors and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
